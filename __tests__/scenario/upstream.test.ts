import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstreams } from '../../src/app/upstream/start.js';

// An app in its own process that reads its upstream's URL from env and proxies each request to it.
const appSource = `
const http = require('node:http');
const upstream = process.env.CMS_URL;
const server = http.createServer(async (req, res) => {
  const started = Date.now();
  const answer = await fetch(upstream + req.url, { headers: { 'x-from-app': '1' } });
  const body = await answer.text();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ status: answer.status, upstreamMs: Date.now() - started, body }));
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
`;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startUpstreams', () => {
  let dir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'leakwatch-upstream-'));
    await writeFile(path.join(dir, 'app.cjs'), appSource);
    await mkdir(path.join(dir, 'fixtures', 'pokemon'), { recursive: true });
    await writeFile(path.join(dir, 'fixtures', 'pokemon', 'pikachu.json'), '{"name":"pikachu","id":25}');
    await writeFile(path.join(dir, 'fixtures', 'index.json'), '{"root":true}');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves an app that reads the stub URL from env, with latency, and is gone after stop', async () => {
    const upstreams = await startUpstreams({
      specs: [{ name: 'cms', env: 'CMS_URL', echo: true, latencyMs: 150 }],
      scenarioDir: dir,
      log: (line) => logs.push(line),
    });
    let app: ChildProcess | undefined;
    try {
      expect(upstreams.env.CMS_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      app = spawn(process.execPath, [path.join(dir, 'app.cjs')], {
        env: { ...upstreams.env, PATH: process.env.PATH ?? '' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const [{ port }] = (await once(app, 'message')) as [{ port: number }];
      const response = await fetch(`http://127.0.0.1:${port}/articles/7?lang=en`);
      const result = (await response.json()) as { status: number; upstreamMs: number; body: string };
      const echoed = JSON.parse(result.body) as {
        method: string;
        url: string;
        headers: Record<string, string>;
      };
      expect(result.status).toBe(200);
      expect(echoed.url).toBe('/articles/7?lang=en');
      expect(echoed.method).toBe('GET');
      expect(echoed.headers['x-from-app']).toBe('1');
      expect(result.upstreamMs).toBeGreaterThanOrEqual(145);
    } finally {
      app?.kill();
      await upstreams.stop();
    }
    expect(logs.some((line) => line.includes('"cms"') && line.includes('CMS_URL'))).toBe(true);
    const pid = Number(/pid (\d+)/.exec(logs.at(-1) ?? '')?.[1]);
    expect(isAlive(pid)).toBe(false);
    await expect(fetch(upstreams.env.CMS_URL as string)).rejects.toThrow();
  });

  it('serves fixtures and synthetic JSON of the given size, and gets no secrets', async () => {
    process.env.LEAKWATCH_TEST_SECRET = 'do-not-leak';
    const lines: string[] = [];
    await using upstreams = await startUpstreams({
      specs: [
        { name: 'recorded', env: 'RECORDED_URL', fixtures: 'fixtures' },
        { name: 'synthetic', env: 'SYNTHETIC_URL', responseBytes: 5000, latencyMs: [1, 3] },
      ],
      scenarioDir: dir,
      log: (line) => lines.push(line),
    });
    delete process.env.LEAKWATCH_TEST_SECRET;
    if (process.platform === 'linux') {
      const environ = await readFile(`/proc/${/pid (\d+)/.exec(lines[0] ?? '')?.[1]}/environ`, 'utf8');
      expect(environ).toContain('PATH=');
      expect(environ).not.toContain('LEAKWATCH_TEST_SECRET');
    }
    const recorded = upstreams.env.RECORDED_URL as string;
    expect(await (await fetch(`${recorded}/pokemon/pikachu?x=1`)).json()).toEqual({
      name: 'pikachu',
      id: 25,
    });
    expect(await (await fetch(`${recorded}/`)).json()).toEqual({ root: true });
    expect((await fetch(`${recorded}/pokemon/mew`)).status).toBe(404);
    const synthetic = await (await fetch(upstreams.env.SYNTHETIC_URL as string)).arrayBuffer();
    expect(synthetic.byteLength).toBe(5000);
    expect(
      (JSON.parse(Buffer.from(synthetic).toString('utf8')) as { items: unknown[] }).items.length,
    ).toBeGreaterThan(10);
  });

  it('answers a shape, padded to responseBytes, a template expanded per request, and fixtures per query with their status and headers', async () => {
    await writeFile(path.join(dir, 'fixtures', 'pokemon', 'pikachu%3Fform=2.json'), '{"form":2}');
    await writeFile(
      path.join(dir, 'fixtures', 'pokemon', 'pikachu%3Fform=2.json.headers'),
      '{"status":203,"headers":{"cache-control":"max-age=5"}}',
    );
    await using upstreams = await startUpstreams({
      specs: [
        { name: 'shaped', env: 'SHAPED_URL', shape: { species: { name: 'pikachu' } }, responseBytes: 3000 },
        { name: 'recorded', env: 'RECORDED_URL', fixtures: 'fixtures' },
        {
          name: 'templated',
          env: 'TEMPLATED_URL',
          template: '{"id":{{seq}},"name":"{{pick:pikachu,eevee}}"}',
        },
      ],
      scenarioDir: dir,
      log: () => {},
    });
    const templated = [1, 2, 3].map(async () => (await fetch(upstreams.env.TEMPLATED_URL as string)).json());
    const answers = (await Promise.all(templated)) as { id: number; name: string }[];
    expect(answers.map((answer) => answer.id).sort()).toEqual([1, 2, 3]);
    for (const answer of answers) expect(['pikachu', 'eevee']).toContain(answer.name);
    const shaped = await fetch(`${upstreams.env.SHAPED_URL}/anything?x=1`);
    const text = await shaped.text();
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(2990);
    expect(JSON.parse(text)).toMatchObject({ species: { name: 'pikachu' } });
    const withQuery = await fetch(`${upstreams.env.RECORDED_URL}/pokemon/pikachu?form=2`);
    expect(withQuery.status).toBe(203);
    expect(withQuery.headers.get('cache-control')).toBe('max-age=5');
    expect(await withQuery.json()).toEqual({ form: 2 });
    // Another query falls back to the file of the path alone.
    expect(await (await fetch(`${upstreams.env.RECORDED_URL}/pokemon/pikachu?form=3`)).json()).toMatchObject({
      name: 'pikachu',
    });
    expect((await upstreams.hits()).map((hit) => hit.requests)).toEqual([1, 2, 3]);
  });

  it('exits when the process that started it dies', async () => {
    // A plain parent script, so it can be SIGKILLed without a chance to clean up.
    const stub = path.resolve(import.meta.dirname, '../../dist/stub.cjs');
    const parentSource = `
      const { spawn } = require('node:child_process');
      const stub = spawn(process.execPath, [${JSON.stringify(stub)}, '{"name":"orphan"}'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      stub.on('message', () => process.stdout.write(stub.pid + '\\n'));
    `;
    const parent = spawn(process.execPath, ['-e', parentSource], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
    const stubPid = Number(chunk.toString('utf8').trim());
    expect(isAlive(stubPid)).toBe(true);
    parent.kill('SIGKILL');
    for (let attempt = 0; attempt < 50 && isAlive(stubPid); attempt++)
      await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(stubPid)).toBe(false);
  });

  it('stops started stubs and reports the error when one cannot start', async () => {
    const started: string[] = [];
    await expect(
      startUpstreams({
        specs: [
          { name: 'fine', env: 'FINE_URL' },
          { name: 'broken', env: 'BROKEN_URL', fixtures: 'no-such-folder' },
        ],
        scenarioDir: dir,
        log: (line) => started.push(line),
      }),
    ).rejects.toThrow(/Upstream stub "broken" exited/);
    const pid = Number(/pid (\d+)/.exec(started[0] ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });
});
