// The code under test tries to steal the tokens: a dependency's install script and the app read
// /proc/$PPID/environ, every /proc/<pid>/environ, the workspace and its .git, and leakwatch's own folder.
// Run as root (as here and on CI), they run as sandbox users and read nothing; otherwise the report says so.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeGitRepo, projectRoot, quickCliLoad, tempDirs } from '../action/harness.js';

const tempDir = tempDirs('leakwatch-isolation-');
const cli = join(projectRoot, 'dist', 'cli.js');
const isRoot = process.getuid?.() === 0;

/** Reports, one line per attempt, what a thief could read. Run by the install script and by the app. */
const thief = `const fs = require('node:fs');
const [who, workspace, actionDir] = process.argv.slice(2);
let secrets = 0;
for (const pid of fs.readdirSync('/proc').filter((entry) => /^\\d+$/.test(entry))) {
  try { if (fs.readFileSync('/proc/' + pid + '/environ', 'latin1').includes('HUNTER2')) secrets += 1; } catch {}
}
// $PPID is the shell or npm, run as this user; up the chain, the first process of another user is leakwatch.
const ppidOf = (pid) => { const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8'); return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]); };
const uidOf = (pid) => Number(/^Uid:\\s+(\\d+)/m.exec(fs.readFileSync('/proc/' + pid + '/status', 'utf8'))[1]);
let leakwatchPid = process.ppid;
while (leakwatchPid > 1 && uidOf(leakwatchPid) === process.getuid()) leakwatchPid = ppidOf(leakwatchPid);
let parent = 'unreadable';
try { parent = fs.readFileSync('/proc/' + leakwatchPid + '/environ', 'latin1').length > 0 ? 'readable' : 'empty'; } catch {}
const tryRead = (path) => { try { fs.readdirSync(path); return 'readable'; } catch { return 'unreadable'; } };
console.log('THIEF ' + JSON.stringify({ who, uid: process.getuid(), secrets, parent, workspace: tryRead(workspace),
  git: tryRead(workspace + '/.git'), action: tryRead(actionDir), ownEnv: Object.keys(process.env).filter((name) => /TOKEN|SECRET|INPUT_|ACTIONS_/.test(name)) }));
`;

function appFiles(version: string, workspace: string, leakwatchDir = projectRoot): Record<string, string> {
  const args = `${JSON.stringify(workspace)} ${JSON.stringify(leakwatchDir)}`;
  return {
    'thief.js': thief,
    'server.js': `require('node:child_process').execFileSync(process.execPath, ['thief.js', 'app', ${JSON.stringify(workspace)}, ${JSON.stringify(leakwatchDir)}], { stdio: 'inherit' });
require('node:http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`,
    'package.json': JSON.stringify({
      name: 'victim',
      version,
      scripts: { preinstall: `node thief.js install ${args}`, build: `node thief.js build ${args}` },
    }),
  };
}

const quick = quickCliLoad(2);

interface Attempt {
  who: string;
  uid: number;
  secrets: number;
  parent: string;
  workspace: string;
  git: string;
  action: string;
  ownEnv: string[];
}

function attemptsIn(logDir: string): Attempt[] {
  const files = readdirSync(logDir, { recursive: true, withFileTypes: true }).filter((entry) =>
    entry.isFile(),
  );
  return files.flatMap((entry) =>
    readFileSync(join(entry.parentPath, entry.name), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('THIEF '))
      .map((line) => JSON.parse(line.slice('THIEF '.length)) as Attempt),
  );
}

// What a workflow hands leakwatch: its token inputs and the runner's.
const secrets = { INPUT_GITHUB_TOKEN: 'HUNTER2', ACTIONS_RUNTIME_TOKEN: 'HUNTER2', NPM_TOKEN: 'HUNTER2' };

function compareArgs(
  repo: { baseSha: string; headSha: string },
  cliPath: string,
  logDir: string,
  reportPath: string,
) {
  return [
    cliPath,
    'compare',
    '--base',
    repo.baseSha,
    '--head',
    repo.headSha,
    '--force',
    '--start',
    'node server.js',
    '--install',
    'npm install --no-audit --no-fund',
    '--log-dir',
    logDir,
    '--report',
    reportPath,
    ...quick,
  ];
}

/** Every attempt of both sides' install script, build script and app read nothing; the sandbox users are gone. */
function expectNothingStolen(logDir: string, reportPath: string, workspace = 'unreadable'): void {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  expect(report.environment.isolation).toMatch(/^sandbox users lw-\w+-b \(base\) and lw-\w+-h \(head\)$/);
  const attempts = attemptsIn(logDir);
  expect(attempts.map((attempt) => attempt.who).sort()).toEqual([
    'app',
    'app',
    'build',
    'build',
    'install',
    'install',
  ]);
  for (const attempt of attempts) {
    expect(attempt).toMatchObject({
      secrets: 0,
      parent: 'unreadable',
      workspace,
      git: 'unreadable',
      action: 'unreadable',
      ownEnv: [],
    });
    expect(attempt.uid).not.toBe(0);
  }
  // Nothing of this run's sandbox is left: its users are gone (other runs may have their own meanwhile).
  const users = String(report.environment.isolation).match(/lw-\w+-[bh]/g) ?? [];
  expect(users).toHaveLength(2);
  const passwd = execFileSync('getent', ['passwd'], { encoding: 'utf8' });
  for (const user of users) expect(passwd).not.toContain(`${user}:`);
}

describe('isolation', () => {
  it(isRoot
    ? 'install scripts, builds and apps of both sides read no secret, no workspace, no .git, no leakwatch file'
    : 'without root or sudo the report says the code ran as the same user', () => {
    const dir = tempDir();
    const repo = makeGitRepo(dir, appFiles('1.0.0', dir), appFiles('1.0.1', dir));
    const logDir = tempDir();
    const reportPath = join(tempDir(), 'report.json');
    const run = spawnSync(process.execPath, compareArgs(repo, cli, logDir, reportPath), {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...secrets },
    });
    expect(run.status, `${run.stderr}\n${attemptsLog(logDir)}`).toBe(0);
    if (!isRoot) {
      const report = JSON.parse(readFileSync(reportPath, 'utf8'));
      expect(report.environment.isolation).toMatch(/^same user \(/);
      return;
    }
    expectNothingStolen(logDir, reportPath);
  }, 180_000);

  // GitHub-hosted runners run leakwatch as `runner`, who has passwordless sudo: the same sandbox, through sudo.
  it.runIf(isRoot)(
    'through passwordless sudo, as on a GitHub-hosted runner, they read nothing either',
    () => {
      const runner = `ghrunner${process.pid}`;
      const sudoers = `/etc/sudoers.d/${runner}`;
      execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', runner]);
      try {
        writeFileSync(sudoers, `${runner} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
        const home = `/home/${runner}`;
        // The action's folder belongs to the runner, as actions/checkout and the runner leave it.
        const leakwatchDir = join(home, 'leakwatch');
        mkdirSync(leakwatchDir);
        for (const part of ['dist', 'scenarios', 'package.json']) {
          cpSync(join(projectRoot, part), join(leakwatchDir, part), { recursive: true });
        }
        const dir = join(home, 'work');
        mkdirSync(dir);
        const repo = makeGitRepo(
          dir,
          appFiles('1.0.0', dir, leakwatchDir),
          appFiles('1.0.1', dir, leakwatchDir),
        );
        const logDir = join(home, 'logs');
        const reportPath = join(home, 'report.json');
        execFileSync('chown', ['-R', `${runner}:${runner}`, home]);
        const envArgs = Object.entries({ ...secrets, PATH: process.env.PATH ?? '' }).map(
          ([k, v]) => `${k}=${v}`,
        );
        const run = spawnSync(
          'sudo',
          [
            '-u',
            runner,
            '-H',
            '--',
            'env',
            ...envArgs,
            process.execPath,
            ...compareArgs(repo, join(leakwatchDir, 'dist', 'cli.js'), logDir, reportPath),
          ],
          { cwd: dir, encoding: 'utf8' },
        );
        expect(run.status, `${run.stderr}\n${attemptsLog(logDir)}`).toBe(0);
        expect(run.stderr).toContain('isolation: install, build, app and stubs run as');
        // The checkout is world-readable, as on a runner: its files are the PR's own, but its .git (where
        // actions/checkout keeps the token) is closed.
        expectNothingStolen(logDir, reportPath, 'readable');
      } finally {
        rmSync(sudoers, { force: true });
        spawnSync('userdel', ['--force', '--remove', runner]);
      }
    },
    240_000,
  );
});

function attemptsLog(logDir: string): string {
  return readdirSync(logDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}
