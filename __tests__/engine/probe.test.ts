// The probe and the app runner on their own: module systems, several processes, inertness, interruption.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app/app.js';
import { ProbeHub } from '../../src/app/probe-hub.js';
import { probePath } from '../../src/process/package-files.js';

const serversDir = resolve(import.meta.dirname, '../fixtures/servers');
const cli = resolve(import.meta.dirname, '../../dist/cli.js');

/** The bundled CLI measuring a fixture server. */
const measureArgs = (startCommand: string, ...options: string[]) => [
  cli,
  'measure',
  '--dir',
  serversDir,
  '--start',
  startCommand,
  ...options,
];

async function startFixture(startCommand: string) {
  const workDir = await mkdtemp(join(tmpdir(), 'leakwatch-probe-test-'));
  return startApp({
    label: 'app',
    appDir: serversDir,
    startCommand,
    readyPath: '/',
    heapCapMb: 128,
    rssLimitMb: 1024,
    probePath: probePath(),
    logPath: join(workDir, 'app.log'),
    log: () => {},
  });
}

describe('the probe', () => {
  it('loads into an ES module app and samples it after a forced GC', async () => {
    await using app = await startFixture('node esm-server.mjs');
    const memory = await app.hub.sample();
    expect(memory.processCount).toBe(1);
    expect(memory.heapUsedBytes).toBeGreaterThan(1_000_000);
    expect(memory.requestsSeen).toBeGreaterThanOrEqual(1);
    expect(memory.activeResources).toHaveProperty('TCPServerWrap');
  });

  it('reports every serving process of a cluster, summed', async () => {
    await using app = await startFixture('node cluster-server.cjs');
    // Each worker connects on its first request: keep asking until both have served one. The primary hands out
    // connections, not requests, so each request needs its own (fetch would reuse one); the second worker may
    // also start listening after the first made the app ready.
    for (let attempt = 0; attempt < 200 && app.hub.processCount < 2; attempt++) {
      await new Promise((done, fail) =>
        get(app.url, { agent: false }, (response) => response.resume().on('end', done)).on('error', fail),
      );
      await sleep(10);
    }
    const memory = await app.hub.sample();
    expect(memory.processCount).toBe(2);
    expect(memory.requestsSeen).toBeGreaterThanOrEqual(2);
  });

  it('stays inert in a process that serves no request, and never keeps it alive', async () => {
    await using hub = await ProbeHub.open();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', 'setTimeout(() => console.log("done"), 200)'],
      {
        env: {
          ...process.env,
          NODE_OPTIONS: `--require ${probePath()}`,
          LEAKWATCH_PROBE_SOCKET: hub.socketPath,
        },
      },
    );
    expect(stdout.trim()).toBe('done');
    expect(hub.processCount).toBe(0);
  });

  it('lets a served app exit on its own: the probe connection holds no handle open', async () => {
    await using hub = await ProbeHub.open();
    const script = `
      const http = require('node:http');
      const server = http.createServer((q, r) => { r.end('x'); setTimeout(() => server.close(), 50); });
      server.listen(0, '127.0.0.1', () => http.get('http://127.0.0.1:' + server.address().port, (r) => r.resume()));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', `${script}; process.on('exit', () => console.log('exited'))`],
      {
        env: {
          ...process.env,
          NODE_OPTIONS: `--require ${probePath()}`,
          LEAKWATCH_PROBE_SOCKET: hub.socketPath,
        },
        timeout: 20_000,
      },
    );
    expect(stdout.trim()).toBe('exited');
  });
});

describe('after a run', () => {
  it('leaves nothing in the temp folder without --log-dir, heap snapshots included', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'leakwatch-tmpdir-'));
    const shortRun = ['--warmup', '200', '--requests', '200', '--rounds', '8', '--settle-ms', '0'];
    const run = spawnSync(
      process.execPath,
      measureArgs('node server.cjs', ...shortRun, '--heap-snapshots', 'always', '--json'),
      { env: { ...process.env, TMPDIR: temp }, encoding: 'utf8' },
    );
    // So short a run may call the warm-up's growth a leak (exit 1); only an error would matter here.
    expect(run.status, run.stderr).not.toBe(2);
    expect(JSON.parse(run.stdout).heapDiffs?.length).toBe(1);
    expect(await readdir(temp)).toEqual([]);
    await rm(temp, { recursive: true });
  });

  it('keeps the logs of a run that ends in an error, and says where', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'leakwatch-tmpdir-'));
    const run = spawnSync(
      process.execPath,
      measureArgs(`node -e "console.error('fixture: broken config'); process.exit(3)"`),
      { env: { ...process.env, TMPDIR: temp }, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(2);
    const kept = run.stderr.match(/logs kept in (\S+)/)?.[1] ?? '';
    expect(kept.startsWith(temp)).toBe(true);
    expect(await readFile(join(kept, 'app.log'), 'utf8')).toContain('fixture: broken config');
    await rm(temp, { recursive: true });
  });
});

describe('interrupting leakwatch', () => {
  it('kills the whole app tree when the CLI gets SIGINT', async () => {
    const marker = `leakwatch-sigint-${process.pid}`;
    const child = spawn(
      process.execPath,
      measureArgs(`node server.cjs --marker=${marker}`, '--rounds', '200'),
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    await new Promise<void>((resolveReady, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('ready at')) resolveReady();
      });
      child.once('exit', () => reject(new Error(`leakwatch exited before the app was ready:\n${stderr}`)));
    });
    const isListed = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(marker);
    expect(isListed()).toBe(true);
    child.kill('SIGINT');
    await new Promise((resolveExit) => child.once('exit', resolveExit));
    expect(isListed()).toBe(false);
  });
});
