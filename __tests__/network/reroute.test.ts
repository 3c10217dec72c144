// `leakwatch measure` through the bundled CLI on an app that calls hard-coded origins with fetch, node:http
// and node:https: leakwatch reroutes them to a stub with no change to the app, counts the stub's requests, and
// refuses (and lists) a host no stub claims, unless outbound is allow.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMeasureText } from '../../src/report/terminal.js';
import {
  countingServer,
  outsideAddress,
  parseCompare,
  parseMeasure,
  projectRoot,
  quickLoad,
  runCli,
} from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'leakwatch-reroute-'));
const appDir = join(root, 'app');
const pikachu = '{"name":"pikachu","species":{"name":"pikachu"}}';
const address = outsideAddress();
let outside: Awaited<ReturnType<typeof countingServer>> | undefined;

beforeAll(async () => {
  mkdirSync(join(root, 'fixtures', 'api', 'v2', 'pokemon'), { recursive: true });
  writeFileSync(join(root, 'fixtures', 'api', 'v2', 'pokemon', 'pikachu.json'), `${pikachu}\n`);
  writeFileSync(
    join(root, 'scenario.yml'),
    [
      'requests:',
      '  - path: /',
      'readyPath: /health',
      'upstreams:',
      '  - name: pokeapi',
      '    hosts: ["https://api.example.test", "http://cms.internal:8080"]',
      '    fixtures: fixtures',
      '',
    ].join('\n'),
  );
  mkdirSync(appDir);
  copyFileSync(
    join(projectRoot, '__tests__', 'fixtures', 'servers', 'outbound-app.cjs'),
    join(appDir, 'server.cjs'),
  );
  if (address) {
    outside = await countingServer('0.0.0.0');
    const port = new URL(outside.url).port;
    writeFileSync(
      join(appDir, 'outbound.json'),
      JSON.stringify({ extra: `http://${address}:${port}/charge` }),
    );
  }
});

afterAll(async () => {
  await outside?.close();
  rmSync(root, { recursive: true, force: true });
});

const measure = (...extra: string[]) =>
  runCli(
    [
      'measure',
      '--dir',
      appDir,
      '--start',
      'node server.cjs',
      '--scenario',
      'scenario.yml',
      '--json',
      ...quickLoad,
      ...extra,
    ],
    root,
  );

describe('a leak inside the HTTP client, through a rerouted hard-coded origin', () => {
  it('is a regression: the client code runs for real, only its destination changed', async () => {
    const sides = ['base', 'head'].map((label) => {
      const dir = join(root, `client-${label}`);
      mkdirSync(dir);
      copyFileSync(join(appDir, 'server.cjs'), join(dir, 'server.cjs'));
      writeFileSync(
        join(dir, 'outbound.json'),
        JSON.stringify(label === 'head' ? { leakBytesPerRequest: 4096 } : {}),
      );
      return dir;
    });
    const run = await runCli(
      [
        'compare',
        '--base-dir',
        sides[0] ?? '',
        '--head-dir',
        sides[1] ?? '',
        '--start',
        'node server.cjs',
        '--scenario',
        'scenario.yml',
        '--json',
        '--warmup',
        '300',
        '--requests',
        '200',
        '--rounds',
        '8',
        '--settle-ms',
        '0',
        '--heap-snapshots',
        'never',
      ],
      root,
    );
    const report = parseCompare(run);
    expect(run.exitCode, JSON.stringify(report.comparison.finding)).toBe(1);
    expect(report.comparison.verdict).toBe('regression');
    expect(report.comparison.deltaBytesPerRequest).toBeGreaterThan(2048);
    for (const side of [report.base, report.head]) {
      expect(side.traffic?.failed).toBe(0);
      expect(side.network?.stubs[0]?.requests).toBe(3 * side.load.requests);
    }
  }, 300_000);
});

describe.skipIf(!address)('rerouted hosts and blocked outbound traffic', () => {
  it('answers fetch, http and https calls to hard-coded origins from fixtures, and blocks the rest', async () => {
    const run = await measure();
    const report = parseMeasure(run);
    expect(report.app.error).toBeUndefined();
    const { load, network } = report.app;
    expect(load.requests).toBeGreaterThanOrEqual(300);
    // Every page got the fixture from all three clients: a failed or wrong answer is a 502.
    expect(report.app.traffic?.failed).toBe(0);
    expect(network?.stubs).toHaveLength(1);
    expect(network?.stubs?.[0]).toMatchObject({
      name: 'pokeapi',
      hosts: ['https://api.example.test', 'http://cms.internal:8080'],
      requests: 3 * load.requests,
      // Every one of them found its fixture.
      source: 'fixtures',
      answered: 3 * load.requests,
      misses: 0,
    });
    const port = new URL(outside?.url ?? '').port;
    expect(network?.hosts).toContainEqual({
      host: `${address}:${port}`,
      action: 'blocked',
      connections: load.requests,
    });
    expect(network?.hosts.map((host) => host.host).sort()).toEqual(
      [`${address}:${port}`, 'api.example.test:443', 'cms.internal:8080'].sort(),
    );
    expect(outside?.requests()).toBe(0);
    expect(run.stderr).toMatch(/upstream stub "pokeapi" listening/);
  }, 180_000);

  it('stops with exit 2 when a declared stub gets no request, naming its variable and the hosts called instead', async () => {
    writeFileSync(
      join(root, 'unused.yml'),
      'requests:\n  - path: /\nreadyPath: /health\nupstreams:\n  - name: data-api\n    env: LEAKWATCH_UPSTREAM_URL\n    hosts: ["https://data.example.test"]\n',
    );
    const run = await runCli(
      ['measure', '--dir', appDir, '--start', 'node server.cjs', '--scenario', 'unused.yml', ...quickLoad],
      root,
    );
    expect(run.exitCode).toBe(2);
    // The terminal wraps long lines: read it as one.
    const stdout = run.stdout.replace(/\s+/g, ' ');
    expect(stdout).toMatch(
      /upstream "data-api" got no request during 100 warm-up requests \(its URL was offered in LEAKWATCH_UPSTREAM_URL, which the app does not seem to read; it answers for https:\/\/data\.example\.test, which the app never called\)\. The app called instead: .*api\.example\.test ×\d+/,
    );
    expect(stdout).toMatch(/cms\.internal:8080 ×\d+/);
    expect(stdout).toMatch(/\(blocked\)/);
    // The side stopped after warm-up: no measured round ran.
    expect(run.stderr).not.toMatch(/round 1\//);
  }, 120_000);

  it('lets the unclaimed host through with outbound allow, and says so', async () => {
    const before = outside?.requests() ?? 0;
    const run = await measure('--outbound', 'allow');
    const report = parseMeasure(run);
    expect(report.plan.outbound).toBe('allow');
    const port = new URL(outside?.url ?? '').port;
    expect(report.app.network?.hosts).toContainEqual({
      host: `${address}:${port}`,
      action: 'allowed',
      connections: expect.any(Number),
    });
    expect((outside?.requests() ?? 0) - before).toBe(report.app.load.requests);
    expect(renderMeasureText(report).replace(/\s+/g, ' ')).toMatch(
      new RegExp(`allowed: ${address?.replaceAll('.', '\\.')}:${port} ×[\\d,]+ · outbound: allow`),
    );
  }, 180_000);
});
