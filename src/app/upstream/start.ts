import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StubTraffic } from '../../model/report.js';
import { scrubbedEnv } from '../../process/env.js';
import { currentSandbox, sandboxEnv, scratchDir } from '../../process/isolation/sandbox.js';
import { newRunTag, runTagEnv } from '../../process/isolation/sweep.js';
import { findPackageRoot } from '../../process/package-root.js';
import { terminate } from '../../process/process-group.js';
import type { UpstreamSpec } from '../../scenario/types.js';
import { LeakwatchError } from '../../settings/errors.js';
import { type NetworkRules, networkRulesEnv } from '../probe/protocol.js';
import { createTlsIdentity, type TlsIdentity } from './certificate.js';
import type { RecordedMessage } from './recorder.js';
import {
  type StubConfig,
  type StubHitsMessage,
  type StubReadyMessage,
  type StubSource,
  stubSource,
  stubTlsEnv,
} from './stub-handler.js';

/** What one stub did, as the report keeps it. */
export type StubHits = StubTraffic;

export interface RunningUpstreams extends AsyncDisposable {
  /**
   * Env for the app: each spec's variable → `http://127.0.0.1:PORT`, the outbound rules the probe enforces,
   * and NODE_EXTRA_CA_CERTS when an https host is rerouted.
   */
  env: Record<string, string>;
  /** Requests each stub has received so far. */
  hits(): Promise<StubHits[]>;
  /** In record mode, what each answer became. */
  recorded: RecordedMessage[];
  /** Stops every stub; safe to call more than once. */
  stop(): Promise<void>;
}

interface Stub {
  spec: UpstreamSpec;
  child: ChildProcess;
  port: number;
  tlsPort?: number;
  source: StubSource;
  /** Absolute fixtures folder, when the stub answers from one. */
  fixturesDir?: string;
}

const startTimeoutMs = 15_000;

/**
 * Starts one loopback stub process per spec and waits until each listens. A stub exits when leakwatch's IPC
 * channel closes, so it is gone even if leakwatch is killed; `stop()` covers the ordinary paths.
 */
export async function startUpstreams(options: {
  specs: UpstreamSpec[];
  /** The scenario file's folder; fixture folders are relative to it. */
  scenarioDir: string;
  /** Connections to other non-loopback hosts; default block. */
  outbound?: NetworkRules['outbound'];
  /** `leakwatch record`: forward declared hosts to the real origins and write fixtures, up to this size each. */
  record?: { maxBytes: number };
  /** Sandboxed as root, whose user the stubs run as: head's (default; they serve head's fixtures) or base's. */
  side?: 'base' | 'head';
  log: (line: string) => void;
}): Promise<RunningUpstreams> {
  const children: ChildProcess[] = [];
  const recorded: RecordedMessage[] = [];
  let caDir: string | undefined;
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    if (caDir) await rm(caDir, { recursive: true, force: true });
  };
  try {
    const httpsHosts = options.specs.flatMap((spec) => (spec.hosts ?? []).map((origin) => new URL(origin)));
    const tlsHostnames = httpsHosts
      .filter((url) => url.protocol === 'https:')
      .map((url) => bareHostname(url));
    const tls = tlsHostnames.length > 0 ? createTlsIdentity([...new Set(tlsHostnames)]) : undefined;
    const stubs: Stub[] = [];
    for (const spec of options.specs) {
      const stub = await startStub(spec, { ...options, tls, children, recorded });
      stubs.push(stub);
      const where = [spec.env, ...(spec.hosts ?? [])].filter(Boolean).join(', ');
      options.log(
        `upstream stub "${spec.name}" listening at 127.0.0.1:${stub.port} (${where}, pid ${stub.child.pid})`,
      );
    }
    const env: Record<string, string> = {};
    for (const stub of stubs) if (stub.spec.env) env[stub.spec.env] = `http://127.0.0.1:${stub.port}`;
    env[networkRulesEnv] = JSON.stringify(networkRules(stubs, options.outbound ?? 'block'));
    if (tls) {
      caDir = await mkdtemp(path.join(scratchDir(), 'leakwatch-ca-'));
      env.NODE_EXTRA_CA_CERTS = path.join(caDir, 'stub-ca.pem');
      await writeFile(env.NODE_EXTRA_CA_CERTS, tls.cert);
      // The certificate is public; sandboxed apps run as other users and must read it.
      if (currentSandbox()) await chmod(caDir, 0o755);
    }
    const hits = () => Promise.all(stubs.map(askHits));
    return { env, hits, recorded, stop, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `https://pokeapi.co` → route `pokeapi.co:443` to the stub's TLS port, `http://cms:8080` → `cms:8080` to its plain one. */
function networkRules(stubs: Stub[], outbound: NetworkRules['outbound']): NetworkRules {
  const routes: NetworkRules['routes'] = {};
  for (const stub of stubs) {
    for (const origin of stub.spec.hosts ?? []) {
      const url = new URL(origin);
      const isTls = url.protocol === 'https:';
      const port = url.port || (isTls ? '443' : '80');
      routes[`${bareHostname(url)}:${port}`] = {
        port: (isTls ? stub.tlsPort : stub.port) ?? stub.port,
        upstream: stub.spec.name,
      };
    }
  }
  return { outbound, routes };
}

const bareHostname = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

async function startStub(
  spec: UpstreamSpec,
  context: {
    scenarioDir: string;
    tls?: TlsIdentity;
    record?: { maxBytes: number };
    side?: 'base' | 'head';
    children: ChildProcess[];
    recorded: RecordedMessage[];
  },
): Promise<Stub> {
  // Sandboxed as root, the stub runs as head's user (it serves head's fixtures), or base's for base's build;
  // through sudo, the IPC channel cannot cross, so it runs as leakwatch's user with a scrubbed environment.
  const sandbox = currentSandbox();
  const user = sandbox?.privilege === 'root' ? sandbox.users[context.side ?? 'head'] : null;
  const stubEntry = user ? (sandbox?.stubPath ?? '') : path.join(findPackageRoot(), 'dist', 'stub.cjs');
  if (!existsSync(stubEntry)) {
    throw new LeakwatchError('STUB_MISSING', `The upstream stub ${stubEntry} does not exist.`, {
      hint: 'Run `npm run build` in the leakwatch checkout.',
    });
  }
  const fixturesDir =
    spec.fixtures === undefined ? undefined : path.resolve(context.scenarioDir, spec.fixtures);
  const config: StubConfig = {
    name: spec.name,
    responseBytes: spec.responseBytes,
    fixturesDir,
    latencyMs: spec.latencyMs,
    echo: spec.echo,
    shape: spec.shape,
    template: spec.template,
    ...(context.record && fixturesDir && (spec.hosts ?? []).length > 0
      ? { record: { origins: spec.hosts ?? [], dir: fixturesDir, maxBytes: context.record.maxBytes } }
      : {}),
  };
  // The stub is leakwatch's own code, but it gets no secrets either, and no NODE_OPTIONS: the probe must not load.
  const usesTls = (spec.hosts ?? []).some((origin) => origin.startsWith('https:'));
  const env = scrubbedEnv(process.env, {
    ...(usesTls && context.tls ? { [stubTlsEnv]: JSON.stringify(context.tls) } : {}),
    ...(user ? sandboxEnv(user) : {}),
    [runTagEnv]: newRunTag(),
  });
  delete env.NODE_OPTIONS;
  // The users may not reach leakwatch's own node (the runner's bundled one): theirs is on PATH.
  const child = spawn(user ? 'node' : process.execPath, [stubEntry, JSON.stringify(config)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  context.children.push(child);
  child.on('message', (message: RecordedMessage) => {
    if (message.type === 'recorded' || message.type === 'not-recorded') context.recorded.push(message);
  });
  const ready = await waitUntilListening(spec, child);
  return {
    spec,
    child,
    port: ready.port,
    ...(ready.tlsPort ? { tlsPort: ready.tlsPort } : {}),
    source: stubSource(config),
    ...(fixturesDir ? { fixturesDir } : {}),
  };
}

/** The stub's 'listening' message; its exit, a spawn error or the timeout reject, with its stderr as the hint. */
function waitUntilListening(spec: UpstreamSpec, child: ChildProcess): Promise<StubReadyMessage> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });

  return new Promise<StubReadyMessage>((resolve, reject) => {
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
      if (message.type !== 'listening') return;
      cleanUp();
      resolve(message);
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
}

/** A stub that has exited answers nothing: its counts are reported as 0 rather than waiting. */
async function askHits(stub: Stub): Promise<StubHits> {
  const { spec, child } = stub;
  const base = {
    name: spec.name,
    ...(spec.env ? { env: spec.env } : {}),
    hosts: spec.hosts ?? [],
    ...(stub.fixturesDir ? { fixtures: stub.fixturesDir } : {}),
  };
  const nothing: StubHitsMessage = {
    type: 'hits',
    requests: 0,
    source: stub.source,
    answered: 0,
    misses: 0,
    missedPaths: [],
  };
  const answer = !child.connected
    ? nothing
    : await new Promise<StubHitsMessage>((resolve) => {
        const timer = setTimeout(() => done(nothing), 5_000);
        const onMessage = (message: StubHitsMessage) => {
          if (message.type === 'hits') done(message);
        };
        const done = (message: StubHitsMessage) => {
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message);
        };
        child.on('message', onMessage);
        child.send({ type: 'hits' });
      });
  const { requests, source, answered, misses, missedPaths } = answer;
  return { ...base, requests, source, answered, misses, missedPaths };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  await terminate(child, (signal) => child.kill(signal));
  await exited;
}
