// Entry of one upstream stub process (bundled to dist/stub.cjs). The parent passes a StubConfig as JSON in
// argv[2], and a certificate for rerouted https hosts in the env; it talks over IPC, and the stub exits when
// that channel closes, so it never outlives leakwatch.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { loadFixtures } from './fixture-files.js';
import { createRecordingHandler } from './recorder.js';
import {
  createStubHandler,
  type StubConfig,
  type StubHitsMessage,
  type StubReadyMessage,
  StubTally,
  stubSource,
  stubTlsEnv,
} from './stub-handler.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as StubConfig;
  const tls = process.env[stubTlsEnv]
    ? (JSON.parse(process.env[stubTlsEnv]) as { cert: string; key: string })
    : undefined;
  delete process.env[stubTlsEnv];
  const fixtures =
    config.fixturesDir === undefined || config.record ? undefined : await loadFixtures(config.fixturesDir);
  let requests = 0;
  const tally = new StubTally(stubSource(config));
  const handlerFor = (isTls: boolean): Handler => {
    const handle = config.record
      ? createRecordingHandler(config.record, isTls, (message) => process.send?.(message))
      : createStubHandler(config, fixtures, tally);
    return (request, response) => {
      requests += 1;
      handle(request, response);
    };
  };
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'hits') return;
    const { source, answered, misses } = tally;
    process.send?.({
      type: 'hits',
      requests,
      source,
      answered,
      misses,
      missedPaths: tally.topMisses(),
    } satisfies StubHitsMessage);
  });
  const port = await listen(createServer(handlerFor(false)));
  const tlsPort = tls
    ? await listen(createTlsServer({ cert: tls.cert, key: tls.key }, handlerFor(true)))
    : undefined;
  process.send?.({ type: 'listening', port, ...(tlsPort ? { tlsPort } : {}) } satisfies StubReadyMessage);
}

function listen(server: Server): Promise<number> {
  (server as Server & { keepAliveTimeout: number }).keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
