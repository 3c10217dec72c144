import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakwatchError } from '../model/errors.js';
import { git } from '../process/git.js';
import { cleanUpOnExit } from '../process/process-group.js';

export interface CreateWorktreeOptions {
  repoDir: string;
  sha: string;
  /** Short name for the temp directory and log lines, e.g. `base` or `head`. */
  label: string;
  log: (line: string) => void;
  /** Parent of the temp directory. Default: the OS temp dir. */
  parentDir?: string;
}

/** A detached checkout of one commit outside the user's working tree; disposing it deletes it. */
export interface Worktree extends AsyncDisposable {
  dir: string;
  sha: string;
}

export async function createWorktree(options: CreateWorktreeOptions): Promise<Worktree> {
  const { repoDir, sha, label, log } = options;
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), `leakwatch-${label}-`));
  // Hooks live in the user's clone and would run on checkout; the worktree needs none of them.
  const added = await git(repoDir, [
    '-c',
    'core.hooksPath=/dev/null',
    'worktree',
    'add',
    '--detach',
    dir,
    sha,
  ]);
  if (added.exitCode !== 0) {
    await rm(dir, { recursive: true, force: true });
    await git(repoDir, ['worktree', 'prune']);
    throw new LeakwatchError('WORKTREE_FAILED', `Cannot check out ${sha} for ${label}: ${added.stderr}`, {
      hint: 'Check that the commit exists in the clone and that the temp directory is writable.',
    });
  }
  log(`${label}: checked out ${sha.slice(0, 12)} in ${dir}`);

  // Interrupted (a cancelled job, Ctrl-C), the run never gets to dispose: delete the checkout and let git forget it.
  const release = cleanUpOnExit(() => {
    rmSync(dir, { recursive: true, force: true });
    spawnSync('git', ['-C', repoDir, 'worktree', 'prune'], { stdio: 'ignore' });
  });
  let disposal: Promise<void> | undefined;
  const removeWorktree = async (): Promise<void> => {
    // `remove --force` also drops untracked files such as node_modules and build output.
    await git(repoDir, ['worktree', 'remove', '--force', dir]);
    await rm(dir, { recursive: true, force: true });
    await git(repoDir, ['worktree', 'prune']);
    release();
  };
  return {
    dir,
    sha,
    [Symbol.asyncDispose]: () => {
      disposal ??= removeWorktree();
      return disposal;
    },
  };
}
