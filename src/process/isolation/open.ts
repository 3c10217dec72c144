// Opens the run's sandbox when leakwatch can, naming what the sandbox users must never read: the workspace's
// git folder (actions/checkout keeps the token in its config), leakwatch's own folder, the runner's temp folder
// (event payload, .npmrc) and the runner's installation.
import { readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { git } from '../git.js';
import { probePath } from '../package-files.js';
import { findPackageRoot } from '../package-root.js';
import { openSandbox, type Sandbox, sameUserReason } from './sandbox.js';

export async function openIsolation(options: {
  repoDir: string;
  log: (line: string) => void;
}): Promise<(Sandbox & AsyncDisposable) | null> {
  const reason = sameUserReason();
  if (reason) {
    options.log(`isolation: same user (${reason}): the code under test could read leakwatch's environment`);
    return null;
  }
  const gitDir = await git(options.repoDir, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  const protectedPaths = [
    ...(gitDir.exitCode === 0 ? [gitDir.stdout] : []),
    findPackageRoot(),
    ...(process.env.RUNNER_TEMP ? [process.env.RUNNER_TEMP] : []),
    ...runnerRoots(),
  ];
  return openSandbox({
    probeSource: probePath(),
    stubSource: join(findPackageRoot(), 'dist', 'stub.cjs'),
    protectedPaths,
    log: options.log,
  });
}

/** The Actions runner's folder, found from the Runner.Worker among leakwatch's ancestors. */
function runnerRoots(): string[] {
  const roots: string[] = [];
  for (let pid = process.ppid, depth = 0; pid > 1 && depth < 20; depth++) {
    try {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      if (/\/bin\/Runner\.(Worker|Listener)$/.test(exe)) roots.push(dirname(dirname(exe)));
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return roots;
}
