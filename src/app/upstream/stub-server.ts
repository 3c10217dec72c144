// Entry of one upstream stub process (bundled to dist/stub.cjs). The parent passes a StubConfig as JSON in
// argv[2] and talks over IPC; the stub exits when that channel closes, so it never outlives leakwatch.
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { createStubHandler, fixtureKey, type StubConfig, type StubReadyMessage } from './stub-handler.js';

async function loadFixtures(dir: string): Promise<Map<string, Buffer>> {
  const fixtures = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const route = `/${path.relative(dir, file).split(path.sep).join('/')}`
      .replace(/\.json$/, '')
      .replace(/(^|\/)index$/, '');
    fixtures.set(fixtureKey(route || '/'), await readFile(file));
  }
  return fixtures;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as StubConfig;
  const fixtures = config.fixturesDir === undefined ? undefined : await loadFixtures(config.fixturesDir);
  const server = createServer(createStubHandler(config, fixtures));
  server.keepAliveTimeout = 60_000;
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const message: StubReadyMessage = {
      type: 'listening',
      port: typeof address === 'object' && address ? address.port : 0,
    };
    process.send?.(message);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
