import { posix } from 'node:path';
import type { DependencyChange, DependencyDiff, PackageManagerName } from '../model/deps.js';
import { LeakwatchError } from '../settings/errors.js';
import { checkWorkingDirectory } from '../settings/working-directory.js';
import { classifyChange, compareVersionsDescending, lowestInRange } from './classify.js';
import { resolveCommit } from './git-files.js';
import { lockfileCandidates, parseLockfile, pickLockfile } from './lockfile.js';
import { type Manifest, parseManifest } from './manifest.js';
import { diffNodePins, readNodePin } from './node-version.js';
import type { LockGraph, ResolvedVersions } from './resolved.js';
import { commitTree, type FileTree, folderTree } from './trees.js';
import { groupIntoUnits } from './units.js';

export interface DiffDependenciesOptions {
  /** A directory inside the git repository; the working tree is never read or changed. */
  repoDir: string;
  baseRef: string;
  headRef: string;
  /** The app's directory relative to the repository root, whose package.json counts. Default '.'. */
  workingDirectory?: string;
}

interface Side {
  ref: string;
  manifest: Manifest | null;
  /** Null when this side has no lockfile leakwatch can read. */
  locked: {
    path: string;
    packageManager: PackageManagerName;
    versions: ResolvedVersions;
    graph: LockGraph;
  } | null;
  pathsRead: string[];
}

/**
 * Every package whose installed versions differ between base and head, as the app at `workingDirectory`
 * sees them. Versions come from the lockfile (scoped to the app's workspace where the format records one);
 * if either side has no lockfile, from package.json ranges instead, so both sides are compared alike.
 */
export async function diffDependencies(options: DiffDependenciesOptions): Promise<DependencyDiff> {
  const appDir = checkWorkingDirectory(options.workingDirectory ?? '.');
  const [baseCommit, headCommit] = await Promise.all([
    resolveCommit(options.repoDir, options.baseRef),
    resolveCommit(options.repoDir, options.headRef),
  ]);
  return diffTrees(
    { ref: options.baseRef, tree: commitTree(options.repoDir, baseCommit) },
    { ref: options.headRef, tree: commitTree(options.repoDir, headCommit) },
    appDir,
  );
}

/** The same diff between two app folders as they are on disk (`compare --base-dir/--head-dir`). */
export function diffFolders(baseDir: string, headDir: string): Promise<DependencyDiff> {
  return diffTrees(
    { ref: baseDir, tree: folderTree(baseDir) },
    { ref: headDir, tree: folderTree(headDir) },
    '.',
  );
}

async function diffTrees(
  baseSide: { ref: string; tree: FileTree },
  headSide: { ref: string; tree: FileTree },
  appDir: string,
): Promise<DependencyDiff> {
  const [base, head] = await Promise.all([
    readSide(baseSide.tree, baseSide.ref, appDir),
    readSide(headSide.tree, headSide.ref, appDir),
  ]);
  if (!head.manifest) {
    throw new LeakwatchError(
      'MANIFEST_MISSING',
      `${posix.join(appDir, 'package.json')} does not exist at ${head.ref}.`,
      {
        hint: 'Point `working-directory` (--cwd) at the app folder that holds its package.json.',
      },
    );
  }
  const direct = new Set([...(base.manifest?.directNames ?? []), ...head.manifest.directNames]);
  const bothLocked = base.locked && head.locked;
  const packageChanges = bothLocked
    ? diffVersions(base.locked?.versions ?? new Map(), head.locked?.versions ?? new Map(), direct)
    : diffRanges(base.manifest?.specs ?? new Map(), head.manifest.specs, direct);
  const nodePins = {
    base: await readNodePin(baseSide.tree, appDir),
    head: await readNodePin(headSide.tree, appDir),
  };
  const runtimeChange = diffNodePins(nodePins.base, nodePins.head);
  // The runtime first: it changes everything the app runs.
  const changes = runtimeChange ? [runtimeChange, ...packageChanges] : packageChanges;
  const packageManager =
    head.locked?.packageManager ??
    base.locked?.packageManager ??
    managerFromField(head.manifest.packageManager);
  return {
    changes,
    units: groupIntoUnits(packageChanges, base.locked?.graph ?? null, head.locked?.graph ?? null),
    packageManager,
    lockfilePath: bothLocked ? (head.locked?.path ?? null) : null,
    manifestsCompared: [...new Set([...base.pathsRead, ...head.pathsRead])].sort(),
    nodePins,
  };
}

async function readSide(tree: FileTree, ref: string, appDir: string): Promise<Side> {
  const manifestPath = posix.join(appDir, 'package.json');
  const rootManifestPath = 'package.json';
  const candidates = lockfileCandidates(appDir);
  const workspaceFiles = [
    ...new Set(candidates.map((path) => posix.join(posix.dirname(path), 'pnpm-workspace.yaml'))),
  ];
  const existing = await tree.existing([manifestPath, rootManifestPath, ...candidates, ...workspaceFiles]);
  const readManifest = async (path: string) =>
    existing.has(path) ? parseManifest(await tree.read(path), `${path} at ${ref}`) : null;
  const manifest = await readManifest(manifestPath);
  const rootManifest = manifestPath === rootManifestPath ? manifest : await readManifest(rootManifestPath);
  const pathsRead = [manifestPath, rootManifestPath].filter((path) => existing.has(path));
  const preferred = manifest?.packageManager ?? rootManifest?.packageManager ?? null;
  const lockfilePath = pickLockfile(candidates, existing, preferred);
  if (!lockfilePath) return { ref, manifest, locked: null, pathsRead };

  const lockfile = parseLockfile(lockfilePath, ref, await tree.read(lockfilePath));
  const importer = posix.relative(posix.dirname(lockfilePath), appDir) || '.';
  // The root of a monorepo installs (and may run) every workspace, so all of them count there.
  const isWorkspaceRoot =
    importer === '.' && (manifest?.hasWorkspaces || existing.has(posix.join(appDir, 'pnpm-workspace.yaml')));
  const graph: LockGraph = { children: new Map() };
  const versions = lockfile.resolve(isWorkspaceRoot ? null : importer, manifest?.installRoots ?? [], graph);
  return {
    ref,
    manifest,
    locked: { path: lockfilePath, packageManager: lockfile.packageManager, versions, graph },
    pathsRead: [...pathsRead, lockfilePath],
  };
}

/**
 * One change per package name. With several copies installed, `from` is the highest version head no longer
 * installs and `to` the highest one head newly installs (falling back to the highest kept copy), and all
 * copies are listed in `fromVersions`/`toVersions`.
 */
function diffVersions(
  base: ResolvedVersions,
  head: ResolvedVersions,
  direct: Set<string>,
): DependencyChange[] {
  const changes: DependencyChange[] = [];
  for (const name of new Set([...base.keys(), ...head.keys()])) {
    const before = [...(base.get(name) ?? [])].sort(compareVersionsDescending);
    const after = [...(head.get(name) ?? [])].sort(compareVersionsDescending);
    const dropped = before.filter((version) => !after.includes(version));
    const added = after.filter((version) => !before.includes(version));
    if (dropped.length === 0 && added.length === 0) continue;
    const from = dropped[0] ?? before[0] ?? null;
    const to = added[0] ?? after[0] ?? null;
    const change: DependencyChange = {
      name,
      from,
      to,
      kind: classifyChange(from, to),
      direct: direct.has(name),
    };
    if (before.length > 1) change.fromVersions = before.reverse();
    if (after.length > 1) change.toVersions = after.reverse();
    changes.push(change);
  }
  return sortChanges(changes);
}

function diffRanges(
  base: Map<string, string>,
  head: Map<string, string>,
  direct: Set<string>,
): DependencyChange[] {
  const changes: DependencyChange[] = [];
  for (const name of new Set([...base.keys(), ...head.keys()])) {
    const from = base.get(name) ?? null;
    const to = head.get(name) ?? null;
    if (from === to) continue;
    const kind =
      from === null || to === null
        ? classifyChange(from, to)
        : classifyChange(lowestInRange(from) ?? from, lowestInRange(to) ?? to);
    changes.push({ name, from, to, kind, direct: direct.has(name) });
  }
  return sortChanges(changes);
}

function sortChanges(changes: DependencyChange[]): DependencyChange[] {
  return changes.sort((a, b) => Number(b.direct) - Number(a.direct) || a.name.localeCompare(b.name));
}

function managerFromField(field: string | null): PackageManagerName | null {
  const [name, version = ''] = (field ?? '').split('@');
  if (name === 'yarn') return Number.parseInt(version, 10) >= 2 ? 'yarn-berry' : 'yarn-classic';
  return name === 'npm' || name === 'pnpm' || name === 'bun' ? name : null;
}
