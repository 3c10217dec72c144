/** How a package's version moved between base and head, classified with `semver`. */
export type ChangeKind =
  | 'major'
  | 'minor'
  | 'patch'
  | 'prerelease'
  | 'downgrade'
  | 'added'
  | 'removed'
  | 'other';

export interface DependencyChange {
  name: string;
  /** Resolved version at base, or null when the package was added. */
  from: string | null;
  /** Resolved version at head, or null when the package was removed. */
  to: string | null;
  kind: ChangeKind;
  /** Listed in the app's package.json (any dependency field), as opposed to moved only in the lockfile. */
  direct: boolean;
  /**
   * Every version resolved at base, sorted, when the lockfile holds more than one copy of the package
   * (`from` is then the highest version that head dropped). Absent when there is at most one.
   */
  fromVersions?: string[];
  /** Every version resolved at head, sorted, when there is more than one (`to` is the highest one head added). */
  toVersions?: string[];
  /** The Node.js runtime the repository pins (`name` is `node`): each side then runs on its own version. */
  isRuntime?: true;
}

export type PackageManagerName = 'npm' | 'yarn-classic' | 'yarn-berry' | 'pnpm' | 'bun';

export interface DependencyDiff {
  /** Sorted: direct dependencies first, then by name. Empty when nothing the app installs moved. */
  changes: DependencyChange[];
  /** The changes grouped into the PR's bumps (see BumpUnit), in `changes` order of their leads. */
  units: BumpUnit[];
  /** From the head lockfile, else the `packageManager` field; null when neither says. */
  packageManager: PackageManagerName | null;
  /** Repo-relative lockfile read at head (else at base); null when versions came from package.json ranges. */
  lockfilePath: string | null;
  /** Repo-relative paths read at either ref, sorted. */
  manifestsCompared: string[];
  /** The Node.js version pinned at each ref (.nvmrc, .node-version, .tool-versions, volta.node, exact engines.node). */
  nodePins: { base: NodePinInfo | null; head: NodePinInfo | null };
}

export interface NodePinInfo {
  /** As written, without a leading `v`: `20.15.1`, or a range such as `20`. */
  spec: string;
  /** Where it was read, e.g. `.nvmrc` or `package.json volta.node`. */
  source: string;
}

/** One of the PR's bumps: what bisection applies, measures and blames as a whole. */
export interface BumpUnit {
  /** The direct dependency the unit belongs to: the one bumped, or the unchanged one its changes sit under. */
  lead: string;
  /**
   * `bump`: a direct change (first) and the transitive changes its new version brings in; `transitive`:
   * lockfile-only changes no direct change explains (a lockfile refresh, an overrides edit).
   */
  kind: 'bump' | 'transitive';
  changes: DependencyChange[];
}
