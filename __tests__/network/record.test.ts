// `leakwatch record` against a loopback server standing in for the real API: the answers land as fixtures next
// to the scenario (one file per path and query, secret-looking headers stripped, big answers capped), and a
// measurement with those fixtures replays them without the origin getting a single request.
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMeasure, quickLoad, runCli } from './helpers.js';

// The app: /p/<name> fetches its origin's /api/pokemon/<name>?lang=en (and /api/big, whose answer it ignores).
const appSource = `
const http = require('node:http');
const origin = process.env.POKE_ORIGIN;
http.createServer(async (req, res) => {
  if (req.url === '/health') return res.end('ok');
  const name = req.url.split('/')[2];
  await fetch(origin + '/api/big').then((r) => r.arrayBuffer(), () => null);
  const answer = await fetch(origin + '/api/pokemon/' + name + '?lang=en').catch((e) => ({ status: 599, text: async () => String(e.cause) }));
  const body = await answer.text();
  const isRight = answer.status === 200 && JSON.parse(body).name === name;
  res.writeHead(isRight ? 200 : 502);
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const root = mkdtempSync(join(tmpdir(), 'leakwatch-record-'));
let originRequests = 0;
const origin = http.createServer((request, response) => {
  originRequests += 1;
  const name = /\/api\/pokemon\/(\w+)/.exec(request.url ?? '')?.[1];
  const body = name
    ? JSON.stringify({ name, lang: new URL(request.url ?? '/', 'http://x').searchParams.get('lang') })
    : 'x'.repeat(20_000);
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'max-age=60',
    'set-cookie': 'session=abc',
    'x-api-key': 'k-123',
  });
  response.end(body);
});
let originUrl = '';

beforeAll(async () => {
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  mkdirSync(join(root, 'app'));
  writeFileSync(join(root, 'app', 'app.cjs'), appSource);
  const scenario = (fixtures: string) =>
    [
      'requests:',
      '  - path: /p/{{pick:pikachu,eevee}}',
      'readyPath: /health',
      `env: { POKE_ORIGIN: "${originUrl}" }`,
      'upstreams:',
      '  - name: pokeapi',
      `    hosts: ["${originUrl}"]`,
      fixtures,
      '',
    ].join('\n');
  writeFileSync(join(root, 'record.yml'), scenario(''));
  writeFileSync(join(root, 'replay.yml'), scenario('    fixtures: fixtures/pokeapi'));
});

afterAll(async () => {
  await new Promise((resolve) => origin.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

const app = ['--dir', 'app', '--start', 'node app.cjs'];

describe('leakwatch record', () => {
  it('writes the origin answers as fixtures, then a run replays them without asking the origin', async () => {
    const recording = await runCli(
      ['record', '--scenario', 'record.yml', ...app, '--requests', '20', '--max-fixture-bytes', '10000'],
      root,
    );
    expect(recording.exitCode, recording.stderr).toBe(0);
    expect(originRequests).toBe(40);
    const dir = join(root, 'fixtures', 'pokeapi', 'api', 'pokemon');
    expect(JSON.parse(readFileSync(join(dir, 'pikachu%3Flang=en.json'), 'utf8'))).toEqual({
      name: 'pikachu',
      lang: 'en',
    });
    expect(existsSync(join(dir, 'eevee%3Flang=en.json'))).toBe(true);
    const head = JSON.parse(readFileSync(join(dir, 'pikachu%3Flang=en.json.headers'), 'utf8'));
    expect(head).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'max-age=60' },
    });
    expect(existsSync(join(root, 'fixtures', 'pokeapi', 'api', 'big.json'))).toBe(false);
    expect(recording.stdout).toMatch(
      /not recorded: http:\/\/127\.0\.0\.1:\d+\/api\/big: 20000 bytes is above the 10000-byte fixture cap/,
    );
    expect(recording.stdout).toMatch(/add `fixtures: fixtures\/pokeapi` to upstream "pokeapi"/);

    originRequests = 0;
    const replay = await runCli(
      ['measure', '--scenario', 'replay.yml', ...app, '--json', ...quickLoad],
      root,
    );
    const report = parseMeasure(replay);
    // The answer over the cap was not recorded, so the replay misses it on every request, and says so, naming it
    // and the file that would answer it, instead of measuring pages rendered from 404s.
    expect(report.app.error?.code).toBe('UPSTREAM_MISSES');
    expect(report.app.error?.message).toMatch(/"pokeapi" missed \d+ of \d+ \(\/api\/big ×\d+\)/);
    expect(report.app.error?.hint).toMatch(/api\/big\.json for \/api\/big/);
    expect(report.app.traffic?.failed).toBe(0);
    expect(report.app.network?.stubs[0]?.requests).toBe(2 * report.app.load.requests);
    expect(report.app.network?.stubs[0]?.misses).toBe(report.app.load.requests);
    expect(originRequests).toBe(0);
  }, 240_000);
});
