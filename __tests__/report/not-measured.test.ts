// A comparison whose head did not install was never measured: the JSON report has no load and no schedule (rather
// than zeros), it passes report mode's validation, and the terminal, the comment and the job summary show the plan
// as not run, never "0 requests". The real CLI (dist/cli.js) on a real git repo, with an install that fails on head.
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/model/report.js';
import { renderJobSummary, renderMarkdownReport } from '../../src/report/markdown.js';
import { parseUntrustedReport } from '../../src/report/validate.js';
import { makeGitRepo, npmFiles, tempDirs, tinyServer } from '../action/harness.js';
import { runCli } from '../network/helpers.js';

const tempDir = tempDirs('leakwatch-not-measured-');

describe('a comparison whose head failed to install', () => {
  it('reports no load and no schedule, and no reader prints zeros as if measured', async () => {
    const repo = makeGitRepo(tempDir(), { ...npmFiles(), 'server.js': tinyServer(0) }, { broken: 'yes' });
    const args = ['compare', '--repo', repo.dir, '--base', 'main', '--head', 'bump', '--force'];
    // The install succeeds on base and fails on head, where the `broken` file exists.
    args.push('--install', 'test ! -f broken', '--start', 'node server.js', '--log-dir', tempDir());
    const terminal = await runCli(args, tempDir());
    const json = await runCli([...args, '--json'], tempDir());

    expect(terminal.exitCode, terminal.stderr).toBe(2);
    expect(terminal.stdout).toContain('head failed to install');
    expect(terminal.stdout).not.toMatch(/\b0 requests\b|\bload\b/);

    // Report mode reads what a measure job wrote for a pull request, so it carries the PR it measured.
    const pr = { number: 1, headSha: repo.headSha, baseSha: repo.baseSha };
    const written = JSON.stringify({ ...(JSON.parse(json.stdout) as CompareReport), pr });
    const report = parseUntrustedReport(written, 'report.json');
    expect(report.comparison.verdict).toBe('error');
    expect(report.head.error?.code).toBe('INSTALL_FAILED');
    // Base installed but never ran either: nothing was measured on it.
    expect(report.base.error).toBeUndefined();
    for (const side of [report.base, report.head]) {
      expect(side).not.toHaveProperty('load');
      expect(side.samples).toEqual([]);
      expect(side.fits).toEqual([]);
    }
    expect(report).not.toHaveProperty('schedule');

    for (const markdown of [
      renderMarkdownReport({ commentKey: 'k', reports: [report] }),
      renderJobSummary({ commentKey: 'k', reports: [report] }),
    ]) {
      expect(markdown).toContain('failed to install');
      expect(markdown).not.toMatch(/\b0 requests\b/);
      expect(markdown).toContain('5,000 requests planned, not run');
    }
  }, 120_000);
});
