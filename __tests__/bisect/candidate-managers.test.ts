// Candidates installed for real by pnpm and yarn: the direct bump in package.json, the lockfile-only one as a pnpm
// override or a yarn resolution, each checked in the installed node_modules.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareCandidate } from '../../src/bisect/candidate.js';
import type { DependencyChange } from '../../src/model/deps.js';
import { gitIn, makeRepo, makeTempDir, removeDir } from '../prepare/fixtures.js';

// corepack on this machine verifies package manager signatures with keys it cannot fetch, and fetches yarn 4 from
// repo.yarnpkg.com, which it cannot reach: the npm registry serves the same release.
process.env.COREPACK_INTEGRITY_KEYS = '0';
process.env.COREPACK_NPM_REGISTRY ??= 'https://registry.npmjs.org';
const tempDirs: string[] = [];
afterAll(async () => {
  for (const dir of tempDirs) await removeDir(dir);
});

// debug 4.3.4 pins ms at exactly 2.1.2, so moving ms needs an override, not a package.json line.
const changes: DependencyChange[] = [
  { name: 'semver', from: '7.5.0', to: '7.6.0', kind: 'minor', direct: true },
  { name: 'ms', from: '2.1.2', to: '2.1.3', kind: 'patch', direct: false },
];

const managers: { name: string; packageManager: string; lock: string[]; files: Record<string, string> }[] = [
  {
    name: 'pnpm 9',
    packageManager: 'pnpm@9.15.0',
    lock: ['install', '--lockfile-only', '--ignore-scripts'],
    files: {},
  },
  {
    name: 'yarn 1',
    packageManager: 'yarn@1.22.22',
    lock: ['install', '--ignore-scripts', '--non-interactive'],
    files: {},
  },
  {
    name: 'yarn 4',
    packageManager: 'yarn@4.5.3',
    lock: ['install', '--mode=update-lockfile'],
    files: { '.yarnrc.yml': 'nodeLinker: node-modules\nenableTelemetry: false\n', 'yarn.lock': '' },
  },
];

describe.each(managers)('$name candidate', ({ packageManager, lock, files }) => {
  it('installs the bump and forces the lockfile-only change', async () => {
    const repo = await makeRepo();
    tempDirs.push(repo.dir);
    const manifest = {
      name: 'fx',
      private: true,
      packageManager,
      dependencies: { semver: '7.5.0', debug: '4.3.4' },
    };
    await repo.commit(
      {
        'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
        '.gitignore': 'node_modules\n.yarn\n',
        ...files,
      },
      'app',
    );
    execFileSync('corepack', [packageManager, ...lock], {
      cwd: repo.dir,
      stdio: 'ignore',
      env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
    });
    const baseSha = await repo.commit({}, 'lock');
    const logDir = await makeTempDir('candidate-logs');
    tempDirs.push(logDir);
    const lines: string[] = [];
    await using candidate = await prepareCandidate({
      repoDir: repo.dir,
      baseSha,
      workingDirectory: '.',
      changes,
      logDir,
      log: (line) => lines.push(line),
    });
    expect(candidate.ok, candidate.ok ? '' : `${lines.join('\n')}\n${candidate.logTail}`).toBe(true);
    if (!candidate.ok) return;
    const fromApp = createRequire(join(candidate.appDir, 'package.json'));
    const version = async (path: string) => JSON.parse(await readFile(path, 'utf8')).version;
    expect(await version(fromApp.resolve('semver/package.json'))).toBe('7.6.0');
    const fromDebug = createRequire(fromApp.resolve('debug/package.json'));
    expect(await version(fromDebug.resolve('ms/package.json'))).toBe('2.1.3');
    expect(lines.join('\n')).toMatch(
      packageManager.startsWith('pnpm') ? /pnpm.* install --no-frozen-lockfile/ : /yarn.* install/,
    );
    // Base's checkout is untouched: the override went into the candidate's worktree only.
    expect(gitIn(repo.dir, 'status', '--porcelain')).toBe('');
  }, 240_000);
});

describe('a peer conflict in pnpm’s own words', () => {
  it('names both packages from ERR_PNPM_PEER_DEP_ISSUES, so bisection can join them', async () => {
    const repo = await makeRepo();
    tempDirs.push(repo.dir);
    const packageManager = 'pnpm@9.15.0';
    const manifest = {
      name: 'fx',
      private: true,
      packageManager,
      dependencies: { ajv: '6.12.6', 'ajv-keywords': '3.5.2' },
    };
    await repo.commit(
      {
        'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
        '.gitignore': 'node_modules\n',
        '.npmrc': 'strict-peer-dependencies=true\n',
      },
      'app',
    );
    execFileSync('corepack', [packageManager, 'install', '--lockfile-only', '--ignore-scripts'], {
      cwd: repo.dir,
      stdio: 'ignore',
      env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
    });
    const baseSha = await repo.commit({}, 'lock');
    const logDir = await makeTempDir('candidate-logs');
    tempDirs.push(logDir);
    // ajv-keywords 5 needs ajv 8 as a peer; base keeps ajv 6.
    await using candidate = await prepareCandidate({
      repoDir: repo.dir,
      baseSha,
      workingDirectory: '.',
      changes: [{ name: 'ajv-keywords', from: '3.5.2', to: '5.1.0', kind: 'major', direct: true }],
      logDir,
      log: () => {},
    });
    expect(candidate.ok).toBe(false);
    if (candidate.ok) return;
    expect(candidate.logTail).toMatch(/ERR_PNPM_PEER_DEP_ISSUES/);
    expect(candidate.conflictingPackages).toEqual(expect.arrayContaining(['ajv', 'ajv-keywords']));
  }, 120_000);
});
