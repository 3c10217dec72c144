// Package managers as users have them: a monorepo whose workspace package `packages/web` (the demo app) bumps
// contentful-sdk-core 6.4.5 → 6.4.4, a real leaking pair, installed for real from the registry by each manager and
// measured through the bundled CLI with --cwd packages/web (the action's working-directory).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, tempDirs } from '../action/harness.js';

const tempDir = tempDirs('leakwatch-workspaces-');
const cli = join(projectRoot, 'dist', 'cli.js');
// This machine's registry serves no npm signatures, which corepack would otherwise verify.
// bun comes from the npm registry too (its `bun` package ships the binary in @oven/bun-linux-x64): on PATH for all.
const bunDir = tempDir();
// The sandbox users that install and run the apps must reach it, as they reach a runner's tool cache.
chmodSync(bunDir, 0o755);
execFileSync(
  'npm',
  ['install', '--prefix', bunDir, '--no-audit', '--no-fund', '--loglevel=error', 'bun@1.4.5'],
  {
    stdio: 'pipe',
  },
);
const env = {
  ...process.env,
  PATH: `${join(bunDir, 'node_modules', '.bin')}:${process.env.PATH}`,
  COREPACK_INTEGRITY_KEYS: '0',
  COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
};
const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' })
  .trim()
  .replace(/\/+$/, '');
const demo = (path: string) => readFileSync(join(projectRoot, 'demo', path), 'utf8');

interface Manager {
  /** Root files besides package.json. */
  rootFiles: Record<string, string>;
  rootManifest: Record<string, unknown>;
  /** Writes or updates the lockfile without installing. */
  lock: [string, string[]];
  start: string;
}

const yarn = ['corepack', ['yarn@4.9.2', 'install', '--mode=update-lockfile']] as [string, string[]];
const managers: Record<string, Manager> = {
  'npm workspaces': {
    rootFiles: {},
    rootManifest: { workspaces: ['packages/*'] },
    lock: ['npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund']],
    start: 'node server.js',
  },
  'pnpm workspaces': {
    rootFiles: { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' },
    rootManifest: { packageManager: 'pnpm@9.15.0' },
    lock: ['corepack', ['pnpm@9.15.0', 'install', '--lockfile-only']],
    start: 'node server.js',
  },
  'Yarn berry, nodeLinker: node-modules': {
    rootFiles: { '.yarnrc.yml': 'nodeLinker: node-modules\nenableTelemetry: false\n' },
    rootManifest: { workspaces: ['packages/*'], packageManager: 'yarn@4.9.2' },
    lock: yarn,
    start: 'node server.js',
  },
  'Yarn berry, Plug’n’Play': {
    rootFiles: { '.yarnrc.yml': 'nodeLinker: pnp\nenableTelemetry: false\n' },
    rootManifest: { workspaces: ['packages/*'], packageManager: 'yarn@4.9.2' },
    lock: yarn,
    // PnP resolves through .pnp.cjs, which `yarn node` preloads next to leakwatch's probe.
    start: 'corepack yarn@4.9.2 node server.js',
  },
  'bun workspaces': {
    rootFiles: {},
    rootManifest: { workspaces: ['packages/*'] },
    lock: ['bun', ['install', '--lockfile-only']],
    start: 'node server.js',
  },
};

function makeMonorepo(manager: Manager): string {
  const dir = tempDir();
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { stdio: 'pipe' });
  const web = join(dir, 'packages', 'web');
  mkdirSync(web, { recursive: true });
  const manifest = (version: string) =>
    JSON.stringify({
      name: 'web',
      version: '1.0.0',
      private: true,
      dependencies: { axios: '0.27.2', 'contentful-sdk-core': version },
    });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'mono', private: true, ...manager.rootManifest }),
  );
  for (const [path, text] of Object.entries(manager.rootFiles)) writeFileSync(join(dir, path), text);
  writeFileSync(join(web, 'package.json'), manifest('6.4.5'));
  writeFileSync(join(web, 'server.js'), demo('base/server.js'));
  writeFileSync(join(web, 'scenario.yml'), demo('scenario.yml'));
  const lock = () => {
    const [file, args] = manager.lock;
    // Corepack fetches Yarn berry from the npm registry only with COREPACK_NPM_REGISTRY; leakwatch sets it itself.
    execFileSync(file, args, { cwd: dir, env: { ...env, COREPACK_NPM_REGISTRY: registry }, stdio: 'pipe' });
    // Only the lockfile is committed, as in users' repositories.
    for (const path of ['node_modules', '.yarn', '.pnp.cjs', '.pnp.loader.mjs'])
      rmSync(join(dir, path), { recursive: true, force: true });
  };
  lock();
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n.yarn/\n.pnp.*\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'web on contentful-sdk-core 6.4.5');
  git('checkout', '-q', '-b', 'bump');
  writeFileSync(join(web, 'package.json'), manifest('6.4.4'));
  lock();
  git('commit', '-q', '-a', '-m', 'bump contentful-sdk-core to 6.4.4');
  return dir;
}

describe.each(Object.entries(managers))('%s', (name, manager) => {
  it('catches the leaking bump in the workspace package', async () => {
    const dir = makeMonorepo(manager);
    const run = spawnSync(
      process.execPath,
      [
        cli,
        'compare',
        '--repo',
        dir,
        '--cwd',
        'packages/web',
        '--base',
        'main',
        '--head',
        'bump',
        '--json',
        '--start',
        manager.start,
        '--scenario',
        'scenario.yml',
        '--rounds',
        '8',
        '--requests',
        '150',
        '--warmup',
        '300',
      ],
      { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    expect(run.status, `${name}: ${run.stderr}`).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.comparison.verdict).toBe('regression');
    expect(report.dependencyChanges).toContainEqual(
      expect.objectContaining({
        name: 'contentful-sdk-core',
        from: '6.4.5',
        to: '6.4.4',
        kind: 'downgrade',
        direct: true,
      }),
    );
  }, 400_000);
});
