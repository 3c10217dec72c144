import { LeakwatchError } from '../settings/errors.js';
import { dependencyEntries, isRecord, splitIdent } from './resolved.js';

export const dependencyFields = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
] as const;

export interface Manifest {
  /** Names in any dependency field: these make a change `direct`. */
  directNames: Set<string>;
  /** Name → range as installed without a lockfile: dependency fields, then overrides/resolutions on top. */
  specs: Map<string, string>;
  /** Declared `[name, range]` pairs a package manager installs (peers excluded), before overrides. */
  installRoots: [string, string][];
  /** The `packageManager` field, e.g. `pnpm@9.15.0`. */
  packageManager: string | null;
  /** Declares npm/yarn/bun `workspaces`: installing here installs every workspace. */
  hasWorkspaces: boolean;
}

export function parseManifest(text: string, path: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new LeakwatchError('MANIFEST_UNPARSABLE', `${path} is not valid JSON.`, {
      hint: 'Fix the syntax error in that commit; leakwatch reads package.json straight from git.',
      cause: error,
    });
  }
  const manifest = isRecord(raw) ? raw : {};
  const specs = new Map<string, string>();
  for (const field of dependencyFields) {
    for (const [name, range] of dependencyEntries(manifest[field])) specs.set(name, range);
  }
  const directNames = new Set(specs.keys());
  const installRoots = dependencyFields
    .filter((field) => field !== 'peerDependencies')
    .flatMap((field) => dependencyEntries(manifest[field]));
  const pnpm = isRecord(manifest.pnpm) ? manifest.pnpm : {};
  for (const overrides of [manifest.overrides, manifest.resolutions, pnpm.overrides]) {
    for (const [name, range] of overrideTargets(overrides)) specs.set(name, range);
  }
  const packageManager = typeof manifest.packageManager === 'string' ? manifest.packageManager : null;
  const workspaces = isRecord(manifest.workspaces) ? manifest.workspaces.packages : manifest.workspaces;
  const hasWorkspaces = Array.isArray(workspaces) && workspaces.length > 0;
  return { directNames, specs, installRoots, packageManager, hasWorkspaces };
}

/**
 * Flattens npm `overrides` (nested objects, `"."` for the package itself), yarn `resolutions`
 * (`**\/a/b` paths) and pnpm overrides (`a@1>b`) to the name of the package whose version they force.
 */
function overrideTargets(overrides: unknown): [string, string][] {
  if (!isRecord(overrides)) return [];
  const targets: [string, string][] = [];
  for (const [selector, value] of Object.entries(overrides)) {
    const name = targetName(selector);
    if (typeof value === 'string') targets.push([name, value]);
    else if (isRecord(value)) {
      if (typeof value['.'] === 'string') targets.push([name, value['.']]);
      targets.push(
        ...overrideTargets(Object.fromEntries(Object.entries(value).filter(([key]) => key !== '.'))),
      );
    }
  }
  return targets;
}

function targetName(selector: string): string {
  const last = selector.split('>').at(-1) ?? selector;
  const segments = last.split('/');
  const tail = segments.at(-1) ?? last;
  const scoped =
    segments.length >= 2 && segments.at(-2)?.startsWith('@') ? `${segments.at(-2)}/${tail}` : tail;
  return splitIdent(scoped).name;
}
