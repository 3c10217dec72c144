// .nvmrc files often name a release line instead of a version: `lts/iron`, `lts/*`, `node`. leakwatch reads them
// as nvm and actions/setup-node do: an LTS codename is its major line, `lts/*` the newest LTS line, `lts/-1` the one
// before it, and `node`/`latest`/`current`/`stable` any release. The newest published version of that line is
// then looked up like a range pin.
import { LeakwatchError } from '../settings/errors.js';

/**
 * Every LTS codename with its major, from the Node.js release schedule
 * (https://github.com/nodejs/Release/blob/main/schedule.json, `codename`), which nvm's `lts/<name>` and
 * setup-node's aliases follow. A line gets its codename when it enters LTS (October of its even year): add it here.
 */
export const LTS_CODENAMES: Readonly<Record<string, number>> = {
  argon: 4,
  boron: 6,
  carbon: 8,
  dubnium: 10,
  erbium: 12,
  fermium: 14,
  gallium: 16,
  hydrogen: 18,
  iron: 20,
  jod: 22,
  krypton: 24,
};

const ANY_RELEASE = new Set(['node', 'latest', 'current', 'stable']);

/** The semver range an alias stands for (`lts/iron` → `20.x`), or null when `spec` is no alias. */
export function nodeAliasRange(spec: string): string | null {
  const alias = spec.trim().toLowerCase();
  if (ANY_RELEASE.has(alias)) return '*';
  if (!alias.startsWith('lts/')) return null;
  const name = alias.slice('lts/'.length);
  const majors = Object.values(LTS_CODENAMES).sort((a, b) => b - a);
  const back = name === '*' ? 0 : /^-\d+$/.test(name) ? Number(name.slice(1)) : null;
  const major = back === null ? LTS_CODENAMES[name] : majors[back];
  if (major === undefined) {
    throw new LeakwatchError('NODE_PIN_UNSUPPORTED', `Node.js "${spec}" names no LTS line leakwatch knows.`, {
      hint: `Known LTS codenames: ${Object.keys(LTS_CODENAMES).join(', ')}; or pin a version such as 22.12.0 or a major such as 22.`,
    });
  }
  return `${major}.x`;
}
