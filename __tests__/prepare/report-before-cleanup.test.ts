// `compare --base/--head` writes its report as soon as the verdict is known: removing both installed worktrees
// (and the sandbox users) takes seconds to tens of seconds on a loaded runner, and the result needs none of it.
// Real git worktrees, a real install, real fixture servers under real load, the CLI's own entry.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args.js';
import { runCliCommand } from '../../src/cli/run.js';
import { makeRepo, makeTempDir, removeDir, worktreeDirs } from './fixtures.js';

const fixtureServer = resolve(import.meta.dirname, '../fixtures/servers/server.cjs');
const tempDirs: string[] = [];
afterAll(async () => {
  for (const dir of tempDirs) await removeDir(dir);
});

describe('the report before the cleanup', () => {
  it('is written and printed while both worktrees still exist; they are removed before the CLI returns', async () => {
    const repo = await makeRepo();
    const outDir = await makeTempDir('report-before-cleanup');
    tempDirs.push(repo.dir, outDir);
    await copyFile(fixtureServer, join(repo.dir, 'server.cjs'));
    await repo.commit(
      {
        'package.json': JSON.stringify({ name: 'tiny', private: true, version: '1.0.0' }),
        'leak.json': JSON.stringify({ LEAK_KIND: 'none' }),
      },
      'app',
    );
    execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], {
      cwd: repo.dir,
      stdio: 'ignore',
    });
    await repo.commit({}, 'lock');
    execFileSync('git', ['-C', repo.dir, 'checkout', '-q', '-b', 'bump']);
    await repo.commit({ 'leak.json': JSON.stringify({ LEAK_KIND: 'none', NOTE: 'head' }) }, 'head');
    execFileSync('git', ['-C', repo.dir, 'checkout', '-q', 'main']);

    const reportPath = join(outDir, 'report.json');
    const command = parseCliArgs([
      'compare',
      '--base',
      'main',
      '--head',
      'bump',
      '--repo',
      repo.dir,
      '--force',
      '--start',
      'node server.cjs',
      '--warmup',
      '300',
      '--requests',
      '100',
      '--rounds',
      '6',
      '--settle-ms',
      '1000',
      '--heap-snapshots',
      'never',
      '--report',
      reportPath,
      '--log-dir',
      join(outDir, 'logs'),
    ]);
    if (command.command === 'help' || command.command === 'version') throw new Error('not a command');
    const printed: { worktrees: string[]; isReportWritten: boolean }[] = [];
    const stderr: string[] = [];
    const exitCode = await runCliCommand(command, {
      cwd: outDir,
      stdout: () =>
        printed.push({ worktrees: worktreeDirs(repo.dir), isReportWritten: existsSync(reportPath) }),
      stderr: (text) => stderr.push(text),
    });

    const report = JSON.parse(await readFile(reportPath, 'utf8'));
    expect(report.comparison.verdict, stderr.join('')).toBe('unchanged');
    expect(exitCode).toBe(0);
    // Printed once, after the report file, with base's and head's worktrees still there...
    expect(printed).toHaveLength(1);
    expect(printed[0]?.isReportWritten).toBe(true);
    expect(printed[0]?.worktrees).toHaveLength(3);
    expect(printed[0]?.worktrees).toEqual(
      expect.arrayContaining(
        [report.base.appDir, report.head.appDir].map((dir) => expect.stringContaining(dir)),
      ),
    );
    // ...and gone, from git and from the disk, once the CLI returns.
    expect(worktreeDirs(repo.dir)).toEqual([repo.dir]);
    expect(existsSync(report.base.appDir) || existsSync(report.head.appDir)).toBe(false);
  }, 240_000);
});
