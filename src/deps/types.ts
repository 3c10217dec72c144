/** How a package's version moved between base and head, classified with `semver`. */
export type ChangeKind = 'major' | 'minor' | 'patch' | 'prerelease' | 'downgrade' | 'added' | 'removed' | 'other';

export interface DependencyChange {
  name: string;
  /** Resolved version at base, or null when the package was added. */
  from: string | null;
  /** Resolved version at head, or null when the package was removed. */
  to: string | null;
  kind: ChangeKind;
  /** Listed in the app's package.json (any dependency field), as opposed to moved only in the lockfile. */
  direct: boolean;
}
