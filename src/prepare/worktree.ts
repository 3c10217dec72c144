import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from '../process/git.js';
import {
  currentSandbox,
  giveTo,
  removeSandboxed,
  removeSandboxedAsync,
  scratchDir,
  userFor,
} from '../process/isolation/sandbox.js';
import { cleanUpOnExit } from '../process/process-group.js';
import { LeakwatchError } from '../settings/errors.js';

export interface CreateWorktreeOptions {
  repoDir: string;
  sha: string;
  /** Short name for the temp directory and log lines, e.g. `base` or `head`. */
  label: string;
  log: (line: string) => void;
  /** Parent of the temp directory. Default: the sandbox's root, else the OS temp dir. */
  parentDir?: string;
}

/** A detached checkout of one commit outside the user's working tree; disposing it deletes it. */
export interface Worktree extends AsyncDisposable {
  dir: string;
  sha: string;
}

export async function createWorktree(options: CreateWorktreeOptions): Promise<Worktree> {
  const { repoDir, sha, label, log } = options;
  const dir = await mkdtemp(join(options.parentDir ?? scratchDir(), `leakwatch-${label}-`));
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
  // Sandboxed, the side's user owns its checkout; the `.git` file's target in the workspace stays out of reach.
  const user = userFor(label);
  const sandbox = currentSandbox();
  // Readable (not writable) by leakwatch without root, and by the other side: nothing secret is in a checkout.
  if (user) giveTo(user, dir, '0755');

  // Interrupted (a cancelled job, Ctrl-C), the run never gets to dispose: delete the checkout and let git forget it.
  const release = cleanUpOnExit(() => {
    if (user) removeSandboxed(dir, sandbox);
    else rmSync(dir, { recursive: true, force: true });
    spawnSync('git', ['-C', repoDir, 'worktree', 'prune'], { stdio: 'ignore' });
  });
  let disposal: Promise<void> | undefined;
  const removeWorktree = async (): Promise<void> => {
    // Never run git inside a checkout the untrusted code owned: its config could run commands.
    if (user) await removeSandboxedAsync(dir);
    // `remove --force` also drops untracked files such as node_modules and build output.
    else await git(repoDir, ['worktree', 'remove', '--force', dir]);
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
