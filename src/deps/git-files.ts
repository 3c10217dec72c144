import { commitOf, git } from '../process/git.js';
import { LeakwatchError } from '../settings/errors.js';

/** Paths are names, never globs; file contents keep their bytes. */
async function runGit(repoDir: string, args: readonly string[]) {
  const result = await git(repoDir, ['--literal-pathspecs', ...args], { isRaw: true });
  return { ok: result.exitCode === 0, stdout: result.stdout, stderr: result.stderr };
}

/** Resolves a ref to a commit SHA, or throws `REF_NOT_FOUND` with a hint about shallow clones. */
export async function resolveCommit(repoDir: string, ref: string): Promise<string> {
  const inside = await runGit(repoDir, ['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok) {
    throw new LeakwatchError('NOT_A_GIT_REPO', `${repoDir} is not inside a git repository.`, {
      hint: 'Run leakwatch from a git checkout, after actions/checkout in a workflow.',
    });
  }
  const commit = await commitOf(repoDir, ref);
  if (commit === null) {
    throw new LeakwatchError('REF_NOT_FOUND', `Git ref "${ref}" does not name a commit in ${repoDir}.`, {
      hint: 'Check the spelling, or fetch it: shallow clones lack older commits (set `fetch-depth: 0` on actions/checkout).',
    });
  }
  return commit;
}

/** Which of `paths` (repo-relative) exist as files at `commit`, in one git call. */
export async function existingPaths(
  repoDir: string,
  commit: string,
  paths: readonly string[],
): Promise<Set<string>> {
  const result = await runGit(repoDir, [
    'ls-tree',
    '--name-only',
    '-z',
    '--full-tree',
    commit,
    '--',
    ...paths,
  ]);
  if (!result.ok) {
    throw new LeakwatchError('GIT_FAILED', `git ls-tree failed at ${commit}: ${result.stderr.trim()}`, {
      hint: 'Check that the repository is not corrupt (`git fsck`).',
    });
  }
  return new Set(result.stdout.split('\0').filter((path) => path.length > 0));
}

/** The file's content at `commit`, read from the object store without touching the working tree. */
export async function readFileAtCommit(repoDir: string, commit: string, path: string): Promise<string> {
  const result = await runGit(repoDir, ['cat-file', 'blob', `${commit}:${path}`]);
  if (!result.ok) {
    throw new LeakwatchError('GIT_FAILED', `Could not read ${path} at ${commit}: ${result.stderr.trim()}`, {
      hint: 'Check that the repository is not corrupt (`git fsck`).',
    });
  }
  return result.stdout;
}
