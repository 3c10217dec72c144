import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LeakwatchError } from '../../model/errors.js';
import { scrubbedEnv } from '../../process/env.js';
import { findPackageRoot } from '../../process/package-root.js';
import type { UpstreamSpec } from '../../scenario/types.js';
import type { StubConfig, StubReadyMessage } from './stub-handler.js';

export interface RunningUpstreams extends AsyncDisposable {
  /** Env for the app: each spec's variable → `http://127.0.0.1:PORT`. */
  env: Record<string, string>;
  /** Stops every stub; safe to call more than once. */
  stop(): Promise<void>;
}

const startTimeoutMs = 15_000;
const stopGraceMs = 2_000;

/**
 * Starts one loopback stub process per spec and waits until each listens. A stub exits when leakwatch's IPC
 * channel closes, so it is gone even if leakwatch is killed; `stop()` covers the ordinary paths.
 */
export async function startUpstreams(options: {
  specs: UpstreamSpec[];
  /** The scenario file's folder; fixture folders are relative to it. */
  scenarioDir: string;
  log: (line: string) => void;
}): Promise<RunningUpstreams> {
  const children: ChildProcess[] = [];
  const stop = () => Promise.all(children.map(stopChild)).then(() => undefined);
  const env: Record<string, string> = {};
  try {
    for (const spec of options.specs) {
      const { child, port } = await startStub(spec, options.scenarioDir, children);
      env[spec.env] = `http://127.0.0.1:${port}`;
      options.log(
        `upstream stub "${spec.name}" listening at ${env[spec.env]} (${spec.env}, pid ${child.pid})`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, stop, [Symbol.asyncDispose]: stop };
}

async function startStub(
  spec: UpstreamSpec,
  scenarioDir: string,
  children: ChildProcess[],
): Promise<{ child: ChildProcess; port: number }> {
  const stubEntry = path.join(findPackageRoot(), 'dist', 'stub.cjs');
  if (!existsSync(stubEntry)) {
    throw new LeakwatchError('STUB_MISSING', `The upstream stub ${stubEntry} does not exist.`, {
      hint: 'Run `npm run build` in the leakwatch checkout.',
    });
  }
  const config: StubConfig = {
    name: spec.name,
    responseBytes: spec.responseBytes,
    fixturesDir: spec.fixtures === undefined ? undefined : path.resolve(scenarioDir, spec.fixtures),
    latencyMs: spec.latencyMs,
    echo: spec.echo,
  };
  // The stub is leakwatch's own code, but it gets no secrets either, and no NODE_OPTIONS: the probe must not load.
  const env = scrubbedEnv(process.env);
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [stubEntry, JSON.stringify(config)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });

  const port = await new Promise<number>((resolve, reject) => {
    const fail = (message: string, cause?: unknown) => {
      cleanUp();
      reject(
        new LeakwatchError('STUB_FAILED', message, {
          hint: stderr.trim() || 'Check the upstream spec.',
          cause,
        }),
      );
    };
    const onMessage = (message: StubReadyMessage) => {
      cleanUp();
      resolve(message.port);
    };
    // 'close' rather than 'exit': by then stderr has been read to the end, for the hint.
    const onClose = (code: number | null, signalName: string | null) =>
      fail(`Upstream stub "${spec.name}" exited (${signalName ?? `code ${code}`}) before listening.`);
    const onError = (error: Error) =>
      fail(`Upstream stub "${spec.name}" could not start: ${error.message}`, error);
    const timer = setTimeout(
      () => fail(`Upstream stub "${spec.name}" did not listen within ${startTimeoutMs} ms.`),
      startTimeoutMs,
    );
    const cleanUp = () => {
      clearTimeout(timer);
      child.off('message', onMessage).off('close', onClose).off('error', onError);
    };
    child.on('message', onMessage).on('close', onClose).on('error', onError);
  });
  return { child, port };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
  await exited;
  clearTimeout(timer);
}
