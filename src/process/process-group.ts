// Every child leakwatch starts runs in its own process group, so the whole tree (npm → sh → node → workers) can be
// killed at once. Groups still alive when leakwatch exits or is interrupted are killed too: no orphans, ever.
// Then the registered exit cleanups run (worktrees), since an interrupted run never reaches its own disposal.
// Descendants that left their group (setsid, daemons) are found by their run tag, or as the sandbox user's.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { launchAs } from './isolation/privilege.js';
import {
  activeUsers,
  currentSandbox,
  killAllOf,
  type SandboxUser,
  sandboxEnv,
  userFor,
} from './isolation/sandbox.js';
import { newRunTag, runTagEnv, sweepTagged } from './isolation/sweep.js';

const liveGroups = new Set<number>();
/** Each spawned child's tag and sandbox user, to sweep what its group kill missed. */
const launched = new WeakMap<ChildProcess, { tag: string; user: SandboxUser | null }>();
const exitCleanups = new Set<() => void>();
let exitHooksInstalled = false;

/** Kills every process leakwatch started and everything they started, wherever it went. */
export function killEverything(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
  for (const user of activeUsers()) killAllOf(user);
  sweepTagged();
}

function cleanUpBeforeExit(): void {
  killEverything();
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

/**
 * Spawns `command` through the shell as the leader of a new process group, tagged, and as the side's sandbox
 * user when the run has a sandbox (`side` is `base` or `head`; anything else runs as head's user).
 */
export function spawnGroup(
  command: string,
  options: SpawnOptions & { env: Record<string, string> },
  side?: string,
): ChildProcess {
  installExitHooks();
  const tag = newRunTag();
  const user = userFor(side);
  const env: Record<string, string> = { ...options.env, ...(user ? sandboxEnv(user) : {}), [runTagEnv]: tag };
  // The runner's .npmrc is out of the users' reach (an unreadable userconfig fails npm); a copy in their home is not.
  for (const name of ['NPM_CONFIG_USERCONFIG', 'npm_config_userconfig']) {
    if (user && !env[name]?.startsWith(`${user.home}/`)) delete env[name];
  }
  const sandbox = currentSandbox();
  const launch =
    user && sandbox
      ? launchAs(sandbox.privilege, user, command, env)
      : { file: command, args: [], options: { shell: true, env } };
  const child = spawn(launch.file, launch.args, { ...options, ...launch.options, detached: true });
  launched.set(child, { tag, user });
  const pgid = child.pid;
  // The leader exiting does not end its group: it stays registered until killGroup, as grandchildren may live on.
  if (pgid !== undefined) liveGroups.add(pgid);
  return child;
}

/** Kills what the child's group kill cannot reach: descendants that left the group, by tag or by user. */
export function sweepDescendants(child: ChildProcess): number {
  const spawned = launched.get(child);
  if (!spawned) return 0;
  if (spawned.user) killAllOf(spawned.user);
  return sweepTagged(spawned.tag);
}

/** How long a stopped child may take to exit after SIGTERM before it gets SIGKILL: every stop gives this. */
export const killGraceMs = 5_000;

/**
 * The one way leakwatch stops a child: SIGTERM, then SIGKILL once the child exited or `killGraceMs` passed.
 * `send` reaches the child alone or its whole group.
 */
export async function terminate(child: ChildProcess, send: (signal: NodeJS.Signals) => void): Promise<void> {
  send('SIGTERM');
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, killGraceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  send('SIGKILL');
}

/** Ends the child's whole group, and what left it. */
export async function killGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  await terminate(child, (signal) => signalGroup(pgid, signal));
  sweepDescendants(child);
  forgetGroup(pgid);
}
