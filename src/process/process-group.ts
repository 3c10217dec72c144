// Every child leakwatch starts runs in its own process group, so the whole tree (npm → sh → node → workers) can be
// killed at once. Groups still alive when leakwatch exits or is interrupted are killed too: no orphans, ever.
// Then the registered exit cleanups run (worktrees), since an interrupted run never reaches its own disposal.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

const liveGroups = new Set<number>();
const exitCleanups = new Set<() => void>();
let exitHooksInstalled = false;

function cleanUpBeforeExit(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is on its way out, and the next cleanup still deserves its turn.
    }
  }
  exitCleanups.clear();
}

/**
 * Runs `cleanup` (synchronous: it may run in an `exit` handler) when leakwatch exits or is interrupted before
 * the returned release function is called.
 */
export function cleanUpOnExit(cleanup: () => void): () => void {
  installExitHooks();
  exitCleanups.add(cleanup);
  return () => {
    exitCleanups.delete(cleanup);
  };
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', cleanUpBeforeExit);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanUpBeforeExit();
      process.kill(process.pid, signal);
    });
  }
}

/** Returns whether the group still had members (signal 0 only asks). */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: the group is already gone.
    return false;
  }
}

/** The group is dead and reaped: leakwatch's exit no longer needs to kill it. */
export function forgetGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/** Spawns `command` through the shell as the leader of a new process group. */
export function spawnGroup(command: string, options: SpawnOptions): ChildProcess {
  installExitHooks();
  const child = spawn(command, { ...options, shell: true, detached: true });
  const pgid = child.pid;
  // The leader exiting does not end its group: it stays registered until killGroup, as grandchildren may live on.
  if (pgid !== undefined) liveGroups.add(pgid);
  return child;
}

/** Ends the child's whole group: SIGTERM, then SIGKILL after `graceMs` or once the leader exits. */
export async function killGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  signalGroup(pgid, 'SIGTERM');
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  signalGroup(pgid, 'SIGKILL');
  forgetGroup(pgid);
}
