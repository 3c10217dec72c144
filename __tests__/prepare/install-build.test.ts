import { execFileSync } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAndBuild } from '../../src/prepare/install-build.js';
import { makeTempDir, removeDir, writeFiles } from './fixtures.js';

const log = () => {};
const cleanup: string[] = [];
let templateDir = '';
let logDir = '';

// One real lockfile from the registry, copied into each test's app.
beforeAll(async () => {
  templateDir = await makeTempDir('app-template');
  logDir = await makeTempDir('logs');
  cleanup.push(templateDir, logDir);
  await writeFiles(templateDir, {
    'package.json': JSON.stringify({ name: 'app', private: true, dependencies: { ms: '2.1.3' } }),
    'build.js': `
      const fs = require('node:fs');
      fs.mkdirSync('dist', { recursive: true });
      fs.writeFileSync('dist/out.txt', String(require('ms')('1h')));
      fs.writeFileSync('dist/env.json', JSON.stringify(process.env));
    `,
  });
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: templateDir,
    stdio: 'ignore',
  });
});
afterAll(async () => {
  for (const dir of cleanup) await removeDir(dir);
});

async function app(scripts: Record<string, string>, files: Record<string, string> = {}): Promise<string> {
  const dir = await makeTempDir('app');
  cleanup.push(dir);
  await cp(templateDir, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  await writeFiles(dir, { 'package.json': JSON.stringify({ ...manifest, scripts }), ...files });
  return dir;
}

/** Processes (zombies aside) whose command line contains `marker`. */
function livingProcesses(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(marker) && !line.trim().startsWith('Z') && !line.includes('ps -eo'));
}

describe('installAndBuild', () => {
  it('installs from the lockfile with npm ci and runs the build script', async () => {
    const dir = await app({ build: 'node build.js' });
    const lines: string[] = [];
    const result = await installAndBuild({ dir, logDir, label: 'head', log: (line) => lines.push(line) });
    expect(result).toMatchObject({ ok: true, packageManager: 'npm' });
    expect(await readFile(join(dir, 'dist/out.txt'), 'utf8')).toBe('3600000');
    expect(lines.some((line) => line.includes('npm ci'))).toBe(true);
    expect(lines.some((line) => line.includes('npm run build'))).toBe(true);
  });

  it('runs install and build without GitHub or Actions secrets in the environment', async () => {
    const secrets = {
      GITHUB_TOKEN: 'ghs_secret',
      ACTIONS_RUNTIME_TOKEN: 'runtime-secret',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret',
      INPUT_FOO: 'input-secret',
      NPM_TOKEN: 'npm-secret',
    };
    const saved = { ...process.env };
    Object.assign(process.env, secrets);
    try {
      const dir = await app({ build: 'node build.js' });
      const result = await installAndBuild({ dir, logDir, label: 'head', log });
      expect(result.ok).toBe(true);
      const env = JSON.parse(await readFile(join(dir, 'dist/env.json'), 'utf8')) as Record<string, string>;
      for (const name of Object.keys(secrets)) expect(env).not.toHaveProperty(name);
      expect(JSON.stringify(env)).not.toMatch(/secret/);
      expect(env.HOME).toBe(saved.HOME);
      expect(env.PATH).toBeDefined();
    } finally {
      for (const name of Object.keys(secrets)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('returns a broken head build as a result with the end of its log', async () => {
    const dir = await app({
      build: 'node -e "console.error(\'ERR_MARKER cannot resolve ./missing\'); process.exit(3)"',
    });
    const result = await installAndBuild({ dir, logDir, label: 'head', log });
    if (result.ok) throw new Error('expected the build to fail');
    expect(result).toMatchObject({ stage: 'build', isTimedOut: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.logTail).toContain('ERR_MARKER cannot resolve ./missing');
    expect(result.logTail.split('\n').length).toBeLessThanOrEqual(41);
    expect(result.hint).toContain('The head commit failed to build');
    expect(result.hint).toContain('the first error in its log: "ERR_MARKER cannot resolve ./missing"');
    expect(await readFile(result.logPath, 'utf8')).toContain('$ npm ci');
  });

  it('says when the base fails to install, with a hint', async () => {
    const dir = await app({});
    const result = await installAndBuild({ dir, logDir, label: 'base', log, installCommand: 'exit 7' });
    expect(result).toMatchObject({ ok: false, stage: 'install', exitCode: 7 });
    expect(!result.ok && result.hint).toContain('base commit');
  });

  it('fails with a hint when the working directory has no package.json at this commit', async () => {
    const dir = await app({});
    const result = await installAndBuild({ dir, logDir, workingDirectory: 'apps/new', label: 'base', log });
    expect(result).toMatchObject({ ok: false, stage: 'install', exitCode: null });
    expect(!result.ok && result.hint).toContain('no package.json in apps/new');
  });

  it('skips the build when there is no build script', async () => {
    const dir = await app({ start: 'node build.js' });
    const result = await installAndBuild({ dir, logDir, label: 'base', log });
    expect(result).toMatchObject({ ok: true, buildMs: 0 });
  });

  it('installs a pnpm project at its pinned version through corepack', async () => {
    // This machine's registry serves packages without npm signatures, which corepack would otherwise verify.
    const corepackEnv = { COREPACK_INTEGRITY_KEYS: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };
    const dir = await makeTempDir('pnpm-app');
    cleanup.push(dir);
    await writeFiles(dir, {
      'package.json': JSON.stringify({
        name: 'pnpm-app',
        private: true,
        packageManager: 'pnpm@9.15.0',
        scripts: {
          build: "node -e \"require('fs').writeFileSync('built.txt', require('ms')('2s').toString())\"",
        },
        dependencies: { ms: '2.1.3' },
      }),
    });
    execFileSync('corepack', ['pnpm@9.15.0', 'install', '--lockfile-only'], {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, ...corepackEnv },
    });
    const result = await installAndBuild({ dir, logDir, label: 'head', log, env: corepackEnv });
    expect(result).toMatchObject({ ok: true, packageManager: 'pnpm' });
    expect(await readFile(join(dir, 'built.txt'), 'utf8')).toBe('2000');
    expect(await readFile(result.logPath, 'utf8')).toContain(
      '$ corepack pnpm@9.15.0 install --frozen-lockfile',
    );
  });

  it('kills a hanging build and the grandchildren it spawned when the step times out', async () => {
    const dir = await app(
      {},
      {
        'hang.js': `
          const { spawn } = require('node:child_process');
          spawn('sh', ['-c', "trap '' TERM; sleep 317"], { stdio: 'ignore' });
          process.on('SIGTERM', () => {});
          setInterval(() => {}, 1000);
        `,
      },
    );
    const result = await installAndBuild({
      dir,
      logDir,
      label: 'head',
      log,
      installCommand: 'true',
      buildCommand: 'node hang.js',
      timeoutMs: 1_500,
    });
    expect(result).toMatchObject({ ok: false, stage: 'build', isTimedOut: true });
    expect(livingProcesses('sleep 317')).toEqual([]);
    expect(livingProcesses('node hang.js')).toEqual([]);
  });

  it('kills processes a successful step leaves behind', async () => {
    const dir = await app({});
    const result = await installAndBuild({
      dir,
      logDir,
      label: 'head',
      log,
      installCommand: 'true',
      buildCommand: 'sleep 318 & exit 0',
    });
    expect(result.ok).toBe(true);
    expect(livingProcesses('sleep 318')).toEqual([]);
  });
});
