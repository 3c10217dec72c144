import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { delimiter, join, relative, resolve } from 'node:path';
import { LeakwatchError } from '../settings/errors.js';
import { checkWorkingDirectory } from '../settings/working-directory.js';

export type PackageManagerName = 'npm' | 'yarn-classic' | 'yarn-berry' | 'pnpm' | 'bun';

export interface DetectPackageManagerOptions {
  /** The checkout root; lockfiles above it are never considered. */
  rootDir: string;
  /** The app's directory relative to `rootDir`. Default `.`. */
  workingDirectory?: string;
}

export interface PackageManager {
  name: PackageManagerName;
  /** Version from the `packageManager` field, run through corepack so the global install is never changed. */
  pinnedVersion?: string;
  /** Where to install, relative to `rootDir`: the directory holding the lockfile (a workspace root), else the app. */
  installDir: string;
  /** The lockfile relative to `rootDir`, if there is one. */
  lockfile?: string;
  installCommand: string;
  /** The shell command that runs one package.json script, e.g. `pnpm run build`. */
  runScriptCommand: (script: string) => string;
  /** Things the user should know, e.g. that there is no lockfile and versions are not frozen. */
  warnings: string[];
}

const lockfiles: ReadonlyArray<{ file: string; name: PackageManagerName | 'yarn' }> = [
  { file: 'pnpm-lock.yaml', name: 'pnpm' },
  { file: 'yarn.lock', name: 'yarn' },
  { file: 'bun.lock', name: 'bun' },
  { file: 'bun.lockb', name: 'bun' },
  { file: 'package-lock.json', name: 'npm' },
  { file: 'npm-shrinkwrap.json', name: 'npm' },
];

const frozenInstallArgs: Record<PackageManagerName, string> = {
  npm: 'ci',
  'yarn-classic': 'install --frozen-lockfile',
  'yarn-berry': 'install --immutable',
  pnpm: 'install --frozen-lockfile',
  bun: 'install --frozen-lockfile',
};

export async function detectPackageManager(options: DetectPackageManagerOptions): Promise<PackageManager> {
  const rootDir = resolve(options.rootDir);
  const appDir = resolve(rootDir, checkWorkingDirectory(options.workingDirectory ?? '.'));
  const warnings: string[] = [];
  let pinned: { name: string; version: string } | undefined;
  let found: { dir: string; file: string; name: PackageManagerName | 'yarn' } | undefined;
  for (const dir of ancestorsUpTo(appDir, rootDir)) {
    pinned ??= parsePackageManagerField((await readPackageJson(join(dir, 'package.json')))?.packageManager);
    if (!found) {
      const present = [];
      for (const candidate of lockfiles) if (await exists(join(dir, candidate.file))) present.push(candidate);
      const chosen = present.find((candidate) => candidate.name === pinned?.name) ?? present[0];
      if (chosen) found = { ...chosen, dir };
      if (present.length > 1)
        warnings.push(`Several lockfiles in ${relative(rootDir, dir) || '.'}; using ${chosen?.file}.`);
    }
  }

  let name = await nameFromLockfile(found);
  if (pinned) {
    const pinnedName = nameFromPin(pinned);
    if (name && pinnedName !== name)
      warnings.push(
        `packageManager says ${pinned.name} but the lockfile is ${found?.file}; using ${pinned.name}.`,
      );
    name = pinnedName;
  }
  name ??= 'npm';
  if (!found)
    warnings.push(
      `No lockfile found: installing with \`${binOf(name)} install\`, so dependency versions are not frozen.`,
    );

  const prefix = commandPrefix(name, pinned);
  return {
    name,
    pinnedVersion: pinned?.version,
    installDir: relative(rootDir, found?.dir ?? appDir) || '.',
    lockfile: found ? relative(rootDir, join(found.dir, found.file)) : undefined,
    installCommand: `${prefix} ${found ? frozenInstallArgs[name] : 'install'}`,
    runScriptCommand: (script) => `${prefix} run ${script}`,
    warnings,
  };
}

function* ancestorsUpTo(dir: string, rootDir: string): Generator<string> {
  for (let current = dir; ; current = resolve(current, '..')) {
    yield current;
    if (current === rootDir || current === resolve(current, '..')) return;
  }
}

/**
 * Corepack's `name@version` with an optional `+sha512.<hex>`. The field comes from the PR's package.json and
 * its version lands in the install command: only an exact semver (no ranges, tags or shell characters) passes.
 */
function parsePackageManagerField(field: unknown): { name: string; version: string } | undefined {
  if (field === undefined) return undefined;
  const match =
    typeof field === 'string'
      ? /^(npm|yarn|pnpm|bun)@(\d{1,9}\.\d{1,9}\.\d{1,9}(?:-[0-9A-Za-z.-]{1,64})?)(?:\+sha(?:1|224|256|384|512)\.[0-9a-f]{1,128})?$/.exec(
          field,
        )
      : null;
  if (match?.[1] && match[2]) return { name: match[1], version: match[2] };
  throw new LeakwatchError(
    'PACKAGE_MANAGER_INVALID',
    `package.json's packageManager \`${String(field).slice(0, 100)}\` is not \`<npm|yarn|pnpm|bun>@<exact version>\``,
    { hint: 'Write it the way corepack does, e.g. "pnpm@9.15.0" (optionally +sha512.<hash>).' },
  );
}

function nameFromPin(pin: { name: string; version: string }): PackageManagerName {
  if (pin.name !== 'yarn') return pin.name as PackageManagerName;
  return Number.parseInt(pin.version, 10) >= 2 ? 'yarn-berry' : 'yarn-classic';
}

async function nameFromLockfile(
  found: { dir: string; file: string; name: PackageManagerName | 'yarn' } | undefined,
): Promise<PackageManagerName | undefined> {
  if (!found) return undefined;
  if (found.name !== 'yarn') return found.name;
  // Berry lockfiles are YAML with a `__metadata` block; classic ones have their own format without it.
  const text = await readFile(join(found.dir, found.file), 'utf8');
  return /^__metadata:/m.test(text) ? 'yarn-berry' : 'yarn-classic';
}

function commandPrefix(
  name: PackageManagerName,
  pinned: { name: string; version: string } | undefined,
): string {
  const bin = binOf(name);
  if (bin === 'bun') return 'bun';
  // Corepack runs the pinned version without installing shims or touching the global package manager.
  if (pinned) return `corepack ${bin}@${pinned.version}`;
  if (bin === 'npm' || isOnPath(bin)) return bin;
  return name === 'yarn-berry' ? 'corepack yarn@stable' : `corepack ${bin}`;
}

function binOf(name: PackageManagerName): string {
  return name.startsWith('yarn') ? 'yarn' : name;
}

function isOnPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));
}

async function readPackageJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
