// One bisection candidate: a fresh worktree of base with a subset of the bumps applied through the project's own
// package manager, installed and built. Direct dependencies get the exact head version in package.json; packages
// that moved only in the lockfile get an override (npm, bun), a resolution (yarn) or a pnpm override.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DependencyChange } from '../model/deps.js';
import {
  type InstallAndBuildOptions,
  type InstallAndBuildResult,
  installAndBuild,
} from '../prepare/install-build.js';
import { detectPackageManager, type PackageManagerName } from '../prepare/package-manager.js';
import { createWorktree } from '../prepare/worktree.js';
import { nodeOnPath } from '../process/env.js';

export interface PrepareCandidateOptions {
  repoDir: string;
  baseSha: string;
  workingDirectory: string;
  /** The bumps to apply on top of base; a runtime change is applied by `nodeBinDir`, not in package.json. */
  changes: readonly DependencyChange[];
  /** The Node.js this candidate installs and builds on, first on PATH; none for the `node` on PATH. */
  nodeBinDir?: string;
  buildCommand?: string;
  /** The build's rerouting, as for base and head's builds. */
  buildNetwork?: InstallAndBuildOptions['buildNetwork'];
  logDir: string;
  log: (line: string) => void;
}

export type PreparedCandidate = AsyncDisposable &
  (
    | { ok: true; appDir: string }
    | {
        ok: false;
        stage: 'install' | 'build';
        logTail: string;
        /** Packages the package manager named in a dependency conflict (npm's ERESOLVE report). */
        conflictingPackages: string[];
      }
  );

type Manifest = Record<string, unknown> & { [field: string]: unknown };

const dependencyFields = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** Installs that may rewrite the lockfile: a candidate's versions are, by design, not the locked ones. */
const unfrozenInstallArgs: Record<PackageManagerName, string> = {
  npm: 'install --no-audit --no-fund',
  'yarn-classic': 'install --non-interactive',
  'yarn-berry': 'install',
  pnpm: 'install --no-frozen-lockfile',
  bun: 'install',
};

export async function prepareCandidate(options: PrepareCandidateOptions): Promise<PreparedCandidate> {
  const worktree = await createWorktree({
    repoDir: options.repoDir,
    sha: options.baseSha,
    label: 'candidate',
    log: options.log,
  });
  const dispose = () => worktree[Symbol.asyncDispose]();
  try {
    const appDir = join(worktree.dir, options.workingDirectory);
    const packageManager = await detectPackageManager({
      rootDir: worktree.dir,
      workingDirectory: options.workingDirectory,
    });
    await applyChanges({
      appManifestPath: join(appDir, 'package.json'),
      rootManifestPath: join(worktree.dir, packageManager.installDir, 'package.json'),
      packageManager: packageManager.name,
      changes: options.changes.filter((change) => !change.isRuntime),
    });
    const frozenArgs = packageManager.installCommand.split(' ').slice(-1)[0] ?? '';
    // The prefix (npm, corepack pnpm@x...) is whatever the frozen command runs; only its arguments change.
    const prefix = packageManager.installCommand.slice(
      0,
      packageManager.installCommand.lastIndexOf(frozenArgs === 'ci' ? ' ci' : ' install'),
    );
    const result = await installAndBuild({
      dir: worktree.dir,
      workingDirectory: options.workingDirectory,
      installCommand: `${prefix} ${unfrozenInstallArgs[packageManager.name]}`,
      buildCommand: options.buildCommand,
      buildNetwork: options.buildNetwork,
      label: 'head',
      logDir: options.logDir,
      // Yarn berry refuses to touch the lockfile on CI unless told it may.
      env: { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false', ...nodeOnPath(options.nodeBinDir) },
      log: (line) => options.log(line.replace(/^head:/, 'candidate:')),
    });
    if (result.ok) return { ok: true, appDir, [Symbol.asyncDispose]: dispose };
    return {
      ok: false,
      stage: result.stage,
      logTail: result.logTail,
      conflictingPackages: conflictingPackages(result),
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

interface ApplyChangesOptions {
  appManifestPath: string;
  rootManifestPath: string;
  packageManager: PackageManagerName;
  changes: readonly DependencyChange[];
}

async function applyChanges(options: ApplyChangesOptions): Promise<void> {
  const app = JSON.parse(await readFile(options.appManifestPath, 'utf8')) as Manifest;
  const isSameFile = options.appManifestPath === options.rootManifestPath;
  const root = isSameFile ? app : (JSON.parse(await readFile(options.rootManifestPath, 'utf8')) as Manifest);
  for (const change of options.changes) {
    if (change.direct) setDirectVersion(app, change);
    else if (change.to !== null) setOverride(root, options.packageManager, change.name, change.to);
  }
  await writeFile(options.appManifestPath, `${JSON.stringify(app, null, 2)}\n`);
  if (!isSameFile) await writeFile(options.rootManifestPath, `${JSON.stringify(root, null, 2)}\n`);
}

function setDirectVersion(manifest: Manifest, change: DependencyChange): void {
  const fields = dependencyFields.filter((field) => sectionOf(manifest, field)?.[change.name] !== undefined);
  if (change.to === null) {
    for (const field of fields) delete sectionOf(manifest, field)?.[change.name];
    return;
  }
  for (const field of fields.length > 0 ? fields : (['dependencies'] as const)) {
    manifest[field] = { ...sectionOf(manifest, field), [change.name]: change.to };
  }
}

function setOverride(manifest: Manifest, packageManager: PackageManagerName, name: string, version: string) {
  if (packageManager === 'pnpm') {
    const pnpm = (manifest.pnpm ?? {}) as Manifest;
    manifest.pnpm = { ...pnpm, overrides: { ...sectionOf(pnpm, 'overrides'), [name]: version } };
  } else {
    const field = packageManager.startsWith('yarn') ? 'resolutions' : 'overrides';
    manifest[field] = { ...sectionOf(manifest, field), [name]: version };
  }
}

function sectionOf(manifest: Manifest, field: string): Record<string, string> | undefined {
  const section = manifest[field];
  return section && typeof section === 'object' ? (section as Record<string, string>) : undefined;
}

/**
 * Names from each package manager's own conflict report: npm's ERESOLVE (`While resolving: a@1`, `Found: b@2`,
 * `peer b@"^1" from a@1`), pnpm's peer issues (`└─┬ a 1.0.0` over `✕ unmet peer b@^1: found 2`), yarn 1's
 * `"a@1" has incorrect peer dependency "b@^1"` and yarn 4's `b is listed by your project with version 2, which
 * doesn't satisfy what a (p1234) requests`.
 */
function conflictingPackages(result: Extract<InstallAndBuildResult, { ok: false }>): string[] {
  if (result.stage !== 'install') return [];
  const name = String.raw`((?:@[\w.-]+\/)?[\w.-]+)`;
  const patterns = [
    new RegExp(
      String.raw`(?:While resolving:|Found:|peer|from|Conflicting peer dependency:)\s+${name}@`,
      'g',
    ),
    new RegExp(String.raw`[┬─]\s+${name}\s+\d`, 'g'),
    new RegExp(String.raw`"${name}@[^"]*" has (?:incorrect|unmet) peer dependency "${name}@`, 'g'),
    new RegExp(
      String.raw`${name} is listed by your project with version \S+, which doesn't satisfy what ${name}`,
      'g',
    ),
  ];
  const named = new Set<string>();
  for (const pattern of patterns) {
    for (const match of result.logTail.matchAll(pattern)) {
      for (const group of match.slice(1)) if (group) named.add(group);
    }
  }
  return [...named].sort();
}
