// Every child leakwatch starts runs in its own process group, so the whole tree (npm → sh → node → workers) can be
// killed at once. Groups still alive when leakwatch exits or is interrupted are killed too: no orphans, ever.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

const liveGroups = new Set<number>();
let exitHooksInstalled = false;

function killAllGroups(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllGroups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllGroups();
      process.kill(process.pid, signal);
    });
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
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
  liveGroups.delete(pgid);
}
