import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import autocannon from 'autocannon';
import { afterEach, describe, expect, it } from 'vitest';
import { startUpstreams } from '../../src/app/upstream/start.js';
import { loadScenario } from '../../src/scenario/load.js';
import { createRequestSequence } from '../../src/scenario/sequence.js';

// A fixture app: answers every path, forwards it to its upstream when it has one, and counts what it saw.
const appSource = `
const http = require('node:http');
const upstream = process.env.LEAKWATCH_UPSTREAM_URL;
const seen = { requests: 0, distinctUrls: new Set(), upstreamCalls: 0, upstreamBytes: 0, longestUrl: 0 };
const server = http.createServer(async (req, res) => {
  if (req.url === '/__stats') {
    res.end(JSON.stringify({ ...seen, distinctUrls: seen.distinctUrls.size }));
    return;
  }
  seen.requests++;
  seen.distinctUrls.add(req.method + ' ' + req.url);
  seen.longestUrl = Math.max(seen.longestUrl, req.url.length);
  if (upstream) {
    const answer = await fetch(upstream + req.url);
    const bytes = (await answer.arrayBuffer()).byteLength;
    seen.upstreamBytes += bytes;
    seen.upstreamCalls++;
  }
  res.end('ok');
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

interface AppStats {
  requests: number;
  distinctUrls: number;
  upstreamCalls: number;
  upstreamBytes: number;
  longestUrl: number;
}

const requestCount = 300;
let app: ChildProcess | undefined;
afterEach(() => {
  app?.kill();
  app = undefined;
});

describe('built-in scenarios against a fixture app', () => {
  it.each([
    'default',
    'ssr-cache-fragmenting',
    'unique-paths',
    'long-urls-outbound',
    'multi-route',
    'health-check',
  ])('%s drives the app through autocannon', async (name) => {
    const scenario = await loadScenario({ nameOrPath: name, cwd: process.cwd() });
    await using upstreams = await startUpstreams({
      specs: scenario.upstreams ?? [],
      scenarioDir: path.dirname(scenario.sourcePath ?? ''),
      log: () => {},
    });
    app = spawn(process.execPath, ['-e', appSource], {
      env: { PATH: process.env.PATH ?? '', ...upstreams.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [port] = (await once(app, 'message')) as [number];
    const next = createRequestSequence(scenario, 1);

    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 10,
      amount: requestCount,
      sampleInt: 50,
      requests: [
        {
          setupRequest: (request) => {
            const spec = next();
            return {
              ...request,
              ...spec,
              method: spec.method as typeof request.method,
              headers: { ...request.headers, ...spec.headers },
            };
          },
        },
      ],
    });
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);

    const stats = (await (await fetch(`http://127.0.0.1:${port}/__stats`)).json()) as AppStats;
    expect(stats.requests).toBe(requestCount);
    if (name === 'health-check') expect(stats.distinctUrls).toBe(1);
    if (['ssr-cache-fragmenting', 'unique-paths', 'long-urls-outbound'].includes(name)) {
      expect(stats.distinctUrls).toBe(requestCount);
    }
    if (name === 'long-urls-outbound') expect(stats.longestUrl).toBeGreaterThanOrEqual(1000);
    for (const spec of scenario.upstreams ?? []) {
      expect(stats.upstreamCalls).toBe(requestCount);
      expect(stats.upstreamBytes).toBe(requestCount * (spec.responseBytes ?? 1024));
    }
  });
});
