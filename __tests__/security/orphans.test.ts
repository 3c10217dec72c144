// The app starts a `setsid` grandchild that listens on a port of its own: it has left the app's process group,
// so only the run-tag sweep (or, sandboxed, killing the sandbox user's processes) can end it. After leakwatch
// ends, normally or by SIGTERM, the grandchild must be dead and its port closed.

import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeGitRepo, projectRoot, quickCliLoad, tempDirs } from '../action/harness.js';

const tempDir = tempDirs('leakwatch-orphans-');
const cli = process.env.LEAKWATCH_CLI ?? join(projectRoot, 'dist', 'cli.js');
const quick = quickCliLoad(2);

const server = `const { spawn } = require('node:child_process');
const daemon = "require('node:http').createServer((q, r) => r.end('orphan')).listen(0, '127.0.0.1', function () { console.log('ORPHAN ' + process.pid + ' ' + this.address().port); }); setInterval(() => {}, 1000);";
spawn('setsid', [process.execPath, '-e', daemon], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] }).unref();
require('node:http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

function orphansIn(logDir: string): { pid: number; port: number }[] {
  return readdirSync(logDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .flatMap((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8').split('\n'))
    .flatMap((line) => {
      const match = /^ORPHAN (\d+) (\d+)$/.exec(line);
      return match ? [{ pid: Number(match[1]), port: Number(match[2]) }] : [];
    });
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function expectAllGone(logDir: string, expected: number): Promise<void> {
  const orphans = orphansIn(logDir);
  expect(orphans).toHaveLength(expected);
  for (const orphan of orphans) {
    expect(isAlive(orphan.pid), `pid ${orphan.pid} still runs`).toBe(false);
    expect(await isListening(orphan.port), `port ${orphan.port} still listens`).toBe(false);
  }
}

function preparedApp(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'server.js'), server);
  return dir;
}

describe('no escapes', () => {
  it('a setsid grandchild of the app is killed when the run ends', async () => {
    const dir = preparedApp();
    const logDir = tempDir();
    const run = spawnSync(
      process.execPath,
      [cli, 'measure', '--dir', dir, '--start', 'node server.js', '--log-dir', logDir, ...quick],
      { encoding: 'utf8' },
    );
    // 0 or 1: a few hundred requests may read as a small leak; either way the run ended.
    expect([0, 1], run.stderr).toContain(run.status);
    await expectAllGone(logDir, 1);
  }, 60_000);

  it('a setsid grandchild of the app is killed when leakwatch is interrupted (SIGTERM)', async () => {
    const dir = preparedApp();
    const logDir = tempDir();
    const child = spawn(
      process.execPath,
      [
        cli,
        'measure',
        '--dir',
        dir,
        '--start',
        'node server.js',
        '--log-dir',
        logDir,
        '--settle-ms',
        '60000',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (/settling/.test(stderr)) resolve();
      });
    });
    child.kill('SIGTERM');
    const signal = await new Promise((resolve) =>
      child.once('exit', (_code, exitSignal) => resolve(exitSignal)),
    );
    expect(signal).toBe('SIGTERM');
    await expectAllGone(logDir, 1);
  }, 60_000);

  it('setsid grandchildren of both sides of a compare of git refs are killed', async () => {
    const dir = tempDir();
    const files = { 'server.js': server, 'package.json': '{"name":"o","version":"1.0.0"}' };
    const repo = makeGitRepo(dir, files, { 'package.json': '{"name":"o","version":"1.0.1"}' });
    const logDir = tempDir();
    const run = spawnSync(
      process.execPath,
      [
        cli,
        'compare',
        '--base',
        repo.baseSha,
        '--head',
        repo.headSha,
        '--repo',
        dir,
        '--force',
        '--install',
        'true',
        '--start',
        'node server.js',
        '--log-dir',
        logDir,
        ...quick,
      ],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    await expectAllGone(logDir, 2);
  }, 90_000);
});
