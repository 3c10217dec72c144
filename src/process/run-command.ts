import { chmod, open, readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LeakwatchError } from '../settings/errors.js';
import { userFor } from './isolation/sandbox.js';
import { forgetGroup, signalGroup, spawnGroup, sweepDescendants, terminate } from './process-group.js';

export interface RunShellCommandOptions {
  command: string;
  cwd: string;
  /** The complete environment; build it with `scrubbedEnv()` for anything from the repository. */
  env: Record<string, string>;
  /** Stdout and stderr are appended here, after a `$ command` line. */
  logPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Whose code this is (`base`, `head`): in a sandboxed run, it runs as that side's user. */
  side?: string;
}

export interface RunShellCommandResult {
  outcome: 'exited' | 'timed-out' | 'aborted';
  /** Null when a signal ended the shell. */
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  durationMs: number;
  /** The process group the command ran in; it is empty when this resolves. */
  processGroupId: number;
}

/**
 * Runs a shell command in its own process group and kills the whole group when it ends, times out or is
 * aborted, so build daemons and stray grandchildren never outlive the step.
 */
export async function runShellCommand(options: RunShellCommandOptions): Promise<RunShellCommandResult> {
  const { command, cwd, env, timeoutMs, signal } = options;
  const log = await open(options.logPath, 'a');
  // Scripts reopen /dev/stdout (/proc/self/fd/1), which checks the file's mode: let the sandbox user write it.
  // Nobody else can reach it: the log folder is leakwatch's, closed to other users.
  if (userFor(options.side)) await chmod(options.logPath, 0o666);
  try {
    await log.write(`$ ${command}\n`);
    const startedMs = performance.now();
    // Writing straight to the file, not through pipes: a grandchild holding a pipe open would delay `close` forever.
    const child = spawnGroup(command, { cwd, env, stdio: ['ignore', log.fd, log.fd] }, options.side);
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    await spawned.catch((error: unknown) => {
      throw new LeakwatchError('SPAWN_FAILED', `Cannot run \`${command}\` in ${cwd}: ${String(error)}`, {
        hint: 'Check that the directory exists and a POSIX shell is available.',
        cause: error,
      });
    });
    const processGroupId = child.pid as number;
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, exitSignal) => resolve([code, exitSignal])),
    );

    let outcome: RunShellCommandResult['outcome'] = 'exited';
    const stop = (reason: 'timed-out' | 'aborted') => {
      if (outcome !== 'exited') return;
      outcome = reason;
      void terminate(child, (each) => signalGroup(processGroupId, each));
    };
    const timer = setTimeout(() => stop('timed-out'), timeoutMs);
    const onAbort = () => stop('aborted');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const [exitCode, exitSignal] = await exited;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    const durationMs = performance.now() - startedMs;
    const isGroupLeft = signalGroup(processGroupId, 'SIGKILL');
    if (sweepDescendants(child) > 0 || isGroupLeft)
      await log.write('[leakwatch] killed processes left running by the step\n');
    await waitForEmptyGroup(processGroupId);
    forgetGroup(processGroupId);
    if (outcome !== 'exited') await log.write(`[leakwatch] ${outcome} after ${Math.round(durationMs)} ms\n`);
    return { outcome, exitCode, exitSignal, durationMs, processGroupId };
  } finally {
    await log.close();
  }
}

async function waitForEmptyGroup(processGroupId: number): Promise<void> {
  for (let attempt = 0; attempt < 100 && (await hasLivingMembers(processGroupId)); attempt++) await sleep(20);
}

/** Zombies do not count: a slow init process can take seconds to reap the orphans we killed. */
async function hasLivingMembers(processGroupId: number): Promise<boolean> {
  if (process.platform !== 'linux') return signalGroup(processGroupId, 0);
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === processGroupId && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}
