// Starts the app under test with the probe preloaded, a capped heap and a scrubbed environment, waits until it
// serves, watches its RSS, and tells how it ended: OOM, watchdog, crash, or stopped by us.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import * as net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { AppExit } from '../model/report.js';
import { nodeOnPath, scrubbedEnv } from '../process/env.js';
import { currentSandbox, userFor } from '../process/isolation/sandbox.js';
import { readLogTail } from '../process/log-tail.js';
import { killGroup, spawnGroup } from '../process/process-group.js';
import { LeakwatchError } from '../settings/errors.js';
import { appPortEnv, probeSocketEnv } from './probe/protocol.js';
import { ProbeHub } from './probe-hub.js';

export interface StartAppOptions {
  label: string;
  appDir: string;
  startCommand: string;
  readyPath: string;
  heapCapMb: number;
  rssLimitMb: number;
  /** Absolute path of dist/probe.cjs. */
  probePath: string;
  /** Where the app's stdout and stderr go. */
  logPath: string;
  readyTimeoutMs?: number;
  /** Extra env for the app (scenario env, upstream URLs). */
  env?: Record<string, string>;
  /** Put first on PATH: the Node.js this side runs on when a runtime bump gives each side its own. */
  nodeBinDir?: string;
  /** Requests sent so far, read when the app dies, so the report says how far it got. */
  requestsSent?: () => number;
  log: (line: string) => void;
}

export interface RunningApp extends AsyncDisposable {
  readonly label: string;
  readonly url: string;
  readonly hub: ProbeHub;
  readonly logPath: string;
  readonly startedAtMs: number;
  /** Set once the app ended on its own (or by the watchdog); null while it runs. */
  readonly exit: AppExit | null;
  /**
   * Writes heap snapshots of the app. Writing one needs about the heap again in memory, and the app is paused
   * meanwhile (it cannot grow by itself), so from then on the watchdog allows that much more RSS.
   */
  writeSnapshots(dir: string, name: string): Promise<string[]>;
  stop(): Promise<void>;
}

const watchdogIntervalMs = 200;

export async function startApp(options: StartAppOptions): Promise<RunningApp> {
  const user = userFor(options.label);
  const hub = await ProbeHub.open(user);
  const port = await findFreePort();
  const app = superviseApp(options, hub, await appEnv(options, user !== null, hub.socketPath, port));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady({
      url: url + options.readyPath,
      timeoutMs: options.readyTimeoutMs ?? 60_000,
      exited: app.exited,
    });
    if (app.exit !== null) throw startFailure(options, app.exit, await readLogTail(options.logPath));
    await hub.waitForProbe(5_000);
  } catch (error) {
    const crashed = app.exit;
    await app.stop();
    throw await notStartedError(error, options, crashed);
  }
  options.log(`${options.label}: ready at ${url} (pid ${app.pid}, heap cap ${options.heapCapMb} MB)`);
  return {
    label: options.label,
    url,
    hub,
    logPath: options.logPath,
    startedAtMs: app.startedAtMs,
    get exit() {
      return app.exit;
    },
    writeSnapshots: (dir, name) => {
      // The allocator may keep the snapshot's memory after it is written: the allowance stays.
      app.allowExtraRss(hub.rssBytes);
      return hub.writeSnapshots(dir, name);
    },
    stop: app.stop,
    [Symbol.asyncDispose]: app.stop,
  };
}

/** The app's environment: scrubbed, with the probe preloaded, the heap capped, and its port and probe socket. */
async function appEnv(
  options: StartAppOptions,
  isSandboxed: boolean,
  probeSocketPath: string,
  port: number,
): Promise<Record<string, string>> {
  // Sandboxed, the app runs as its side's user, who reads leakwatch's probe from the sandbox's copy.
  const probePath = isSandboxed ? (currentSandbox()?.probePath ?? options.probePath) : options.probePath;
  const pathEnv = nodeOnPath(options.nodeBinDir);
  const nodeOptions = [
    options.env?.NODE_OPTIONS ?? '',
    `--require ${JSON.stringify(probePath)}`,
    `--max-old-space-size=${options.heapCapMb}`,
    (await nodeAcceptsExposeGc(options.appDir, pathEnv)) ? '--expose-gc' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return scrubbedEnv(process.env, {
    ...options.env,
    ...pathEnv,
    PORT: String(port),
    [appPortEnv]: String(port),
    NODE_OPTIONS: nodeOptions,
    [probeSocketEnv]: probeSocketPath,
  });
}

/** The app's process while it runs: its log, how it ended, and the RSS watchdog. */
interface SupervisedApp {
  readonly pid: number | undefined;
  readonly startedAtMs: number;
  /** Resolves once the process has exited and its end is described. */
  readonly exited: Promise<void>;
  /** How it ended on its own (or by the watchdog); null while it runs or once we stopped it. */
  readonly exit: AppExit | null;
  /** From now on the watchdog allows this many bytes above the RSS limit (the largest asked for stays). */
  allowExtraRss(bytes: number): void;
  stop(): Promise<void>;
}

function superviseApp(options: StartAppOptions, hub: ProbeHub, env: Record<string, string>): SupervisedApp {
  const logStream = createWriteStream(options.logPath);
  const child = spawnGroup(
    options.startCommand,
    { cwd: options.appDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
    options.label,
  );
  child.stdout?.pipe(logStream, { end: false });
  child.stderr?.pipe(logStream, { end: false });
  const startedAtMs = Date.now();
  const requestsSent = options.requestsSent ?? (() => 0);
  let exit: AppExit | null = null;
  let stopping = false;
  let extraRssBytes = 0;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', async (code, signal) => {
      if (!stopping && exit === null) {
        exit = await describeExit(options.logPath, {
          code,
          signal,
          requestsSent: requestsSent(),
          elapsedMs: Date.now() - startedAtMs,
        });
      }
      resolve();
    });
  });
  const watchdog = setInterval(() => {
    const limitBytes = options.rssLimitMb * 1024 * 1024;
    const rssBytes = hub.rssBytes;
    if (rssBytes <= limitBytes + extraRssBytes || exit !== null) return;
    exit = {
      kind: 'watchdog',
      rssBytes,
      limitBytes,
      requestsSent: requestsSent(),
      elapsedMs: Date.now() - startedAtMs,
    };
    options.log(
      `${options.label}: RSS ${Math.round(rssBytes / 2 ** 20)} MB passed the ${options.rssLimitMb} MB watchdog; stopping it`,
    );
    void killGroup(child);
  }, watchdogIntervalMs);
  const stop = async () => {
    clearInterval(watchdog);
    stopping = true;
    await killGroup(child);
    await exited;
    await new Promise<void>((resolve) => logStream.end(resolve));
    if (hub.malformedLines > 0)
      options.log(`${options.label}: ignored ${hub.malformedLines} malformed lines on the probe channel`);
    await hub[Symbol.asyncDispose]();
  };

  return {
    pid: child.pid,
    startedAtMs,
    exited,
    get exit() {
      return exit;
    },
    allowExtraRss: (bytes) => {
      extraRssBytes = Math.max(extraRssBytes, bytes);
    },
    stop,
  };
}

/** What to throw when the app did not get ready: a crash before readiness is named as such, with the log tail. */
async function notStartedError(
  error: unknown,
  options: StartAppOptions,
  crashed: AppExit | null,
): Promise<unknown> {
  if (error instanceof LeakwatchError && error.code === 'NOT_READY' && crashed !== null) {
    return startFailure(options, crashed, await readLogTail(options.logPath));
  }
  if (error instanceof LeakwatchError) {
    return new LeakwatchError(error.code, error.message, {
      hint: error.hint,
      logTail: await readLogTail(options.logPath),
    });
  }
  return error;
}

function startFailure(options: StartAppOptions, exit: AppExit, logTail: string): LeakwatchError {
  const how =
    exit.kind === 'crash' ? `exited with ${exit.signal ?? `code ${exit.code}`}` : `stopped (${exit.kind})`;
  return new LeakwatchError('START_FAILED', `the app ${how} before it became ready`, {
    hint: `Check the start command (\`${options.startCommand}\`) and the app's log (${options.logPath}).`,
    logTail,
  });
}

async function describeExit(
  logPath: string,
  how: { code: number | null; signal: NodeJS.Signals | null; requestsSent: number; elapsedMs: number },
): Promise<AppExit> {
  const logTail = await readLogTail(logPath);
  if (/JavaScript heap out of memory|Reached heap limit/.test(logTail)) {
    return { kind: 'oom', requestsSent: how.requestsSent, elapsedMs: how.elapsedMs, logTail };
  }
  // Out of descriptors or native memory under load: a death by exhaustion, a result like an OOM.
  const exhausted = /\b(EMFILE|ENFILE|ENOMEM)\b/.exec(logTail);
  if (exhausted?.[1]) {
    const { requestsSent, elapsedMs } = how;
    return { kind: 'exhausted', errorCode: exhausted[1], requestsSent, elapsedMs, logTail };
  }
  return { kind: 'crash', code: how.code, signal: how.signal, requestsSent: how.requestsSent, logTail };
}

async function waitUntilReady(options: {
  url: string;
  timeoutMs: number;
  exited: Promise<void>;
}): Promise<void> {
  let hasExited = false;
  void options.exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + options.timeoutMs;
  let lastProblem = 'no answer';
  while (Date.now() < deadline && !hasExited) {
    try {
      const response = await fetch(options.url, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).cause ? String((error as Error).cause) : String(error);
    }
    await delay(100);
  }
  throw new LeakwatchError('NOT_READY', `the app did not become ready at ${options.url} (${lastProblem})`, {
    hint: hasExited
      ? 'The app exited; see its log.'
      : `Raise the ready timeout, or set the ready path to a route that answers with a status below 500.`,
  });
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

/** `--expose-gc` in NODE_OPTIONS is accepted from Node 20.18 / 22.3 on, and is fatal before. */
async function nodeAcceptsExposeGc(appDir: string, pathEnv: Record<string, string>): Promise<boolean> {
  try {
    const { stdout } = await promisify(execFile)('node', ['-p', 'process.versions.node'], {
      cwd: appDir,
      env: scrubbedEnv(process.env, pathEnv),
    });
    const [major = 0, minor = 0] = stdout.trim().split('.').map(Number);
    return (major === 20 && minor >= 18) || (major === 22 && minor >= 3) || major >= 23;
  } catch {
    return false;
  }
}
