// Git for the benchmarks' throwaway repositories: a fixed identity, so no user config is needed.
import { execFileSync } from 'node:child_process';

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

/** `git(...args)` in `repoDir`, returning trimmed stdout. */
export const gitIn =
  (repoDir) =>
  (...args) =>
    execFileSync('git', ['-C', repoDir, ...args], { encoding: 'utf8', env: gitEnv }).trim();
