// What the app answered, end to end through the bundled CLI on real fixture servers: a measurement on failing
// traffic is an error (exit 2) that names the statuses, never a PASS; a route declared with `expectStatus` is
// measured like any other; a head that fails where base does not is named as such.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeasuredCompareReport } from '../../src/model/report.js';
import { describeComparison } from '../../src/report/verdict-text.js';
import { type FixtureConfig, makeFixtureApp } from '../helpers/engine.js';

const cli = resolve(import.meta.dirname, '../../dist/cli.js');
const quickLoad = ['--warmup', '1000', '--requests', '200', '--rounds', '8', '--settle-ms', '0'];

const tempDirs: string[] = [];
beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
});
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leakwatch-traffic-'));
  tempDirs.push(dir);
  return dir;
}

/** Runs the bundled CLI in `dir` and collects its output. */
async function runCli(dir: string, args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  // The terminal wraps at 100 columns: joined back, each line reads whole.
  return { code, stdout: stdout.replace(/\n +/g, ' '), stderr };
}

async function compare(options: {
  base: FixtureConfig;
  head: FixtureConfig;
  scenario?: string;
  args?: string[];
}): Promise<{ code: number | null; stdout: string; stderr: string; report: MeasuredCompareReport }> {
  const dir = await tempDir();
  await makeFixtureApp(dir, 'base', options.base);
  await makeFixtureApp(dir, 'head', options.head);
  const scenarioArgs = options.scenario ? ['--scenario', 'scenario.yml'] : [];
  if (options.scenario) await writeFile(join(dir, 'scenario.yml'), options.scenario);
  const { code, stdout, stderr } = await runCli(dir, [
    'compare',
    '--base-dir',
    'base',
    '--head-dir',
    'head',
    '--start',
    'node server.cjs',
    '--report',
    'report.json',
    ...quickLoad,
    ...scenarioArgs,
    ...(options.args ?? []),
  ]);
  const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as MeasuredCompareReport;
  return { code, stdout, stderr, report };
}

describe('traffic checks through the CLI', () => {
  it('stops a default-scenario run on an app whose / answers 404 after the warm-up', async () => {
    const notFound = { STATUS_BY_PATH: JSON.stringify({ '/': 404 }) };
    const { code, stdout, report } = await compare({ base: notFound, head: notFound });
    expect(code).toBe(2);
    expect(report.comparison.verdict).toBe('error');
    for (const side of [report.base, report.head]) {
      expect(side.error?.code).toBe('REQUESTS_FAILED');
      // Failing fast: the warm-up's requests, no round.
      expect(side.traffic?.requests).toBe(side.load.requests);
      expect(side.traffic?.statuses).toEqual({ 404: side.load.requests });
      expect(side.traffic?.templates.map((template) => template.path)).toEqual([
        '/',
        '/?lw={{seq}}-{{random:6}}',
      ]);
      expect(side.traffic?.firstFailure?.bodyStart).toMatch(/^<!DOCTYPE html><h1>404: no page at \//);
    }
    expect(report.schedule.roundsRun).toBe(0);
    expect(stdout).toContain('base answers 404 to 100 % of requests, head to 100 %');
    expect(stdout).toContain('(REQUESTS_FAILED)');
    expect(stdout).toMatch(/base traffic: ([\d,]+) requests, 0 % succeeded \(404 ×\1\)/);
    expect(stdout).toMatch(
      /first failure: GET \/(\?lw=[\w-]+)? answered 404: "<!DOCTYPE html><h1>404: no page at/,
    );
    expect(stdout).toMatch(/fix +Measure routes that work: set `ready-path`.*expectStatus/);
    expect(stdout).not.toContain('PASS');
  });

  it('gives `measure` on an app that answers 404 the same error, exit 2', async () => {
    const dir = await tempDir();
    await makeFixtureApp(dir, 'app', { STATUS_BY_PATH: JSON.stringify({ '/': 404 }) });
    const { code, stdout } = await runCli(dir, [
      'measure',
      '--dir',
      'app',
      '--start',
      'node server.cjs',
      ...quickLoad,
    ]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/app answers 404 to 100 % of requests \(([\d,]+) of \1 failed; 404 ×\1\)/);
    expect(stdout).toMatch(/^ERROR /);
    expect(stdout).toContain('(REQUESTS_FAILED)');
  });

  it('measures a route that answers 404 on purpose when the scenario expects it, and fails it when not', async () => {
    const app = { STATUS_BY_PATH: JSON.stringify({ '/gone': 404 }) };
    const scenario = (expect404: boolean) =>
      `requests:\n  - path: /item/{{seq}}\n    weight: 3\n  - path: /gone\n${expect404 ? '    expectStatus: 404\n' : ''}`;
    const expected = await compare({ base: app, head: app, scenario: scenario(true) });
    expect(expected.stderr).not.toContain('REQUESTS_FAILED');
    expect(expected.code).toBe(0);
    expect(expected.report.comparison.verdict).toBe('unchanged');
    const [items, gone] = expected.report.head.traffic?.templates ?? [];
    expect(items?.statuses).toEqual({ 200: items?.answered });
    expect(gone?.statuses).toEqual({ 404: gone?.answered });
    expect(gone?.answered).toBeGreaterThan(500);
    expect(expected.report.head.traffic?.failed).toBe(0);
    expect(expected.stdout).toMatch(/traffic: [\d,]+ requests, 100 % succeeded \(200 ×[\d,]+, 404 ×[\d,]+\)/);

    const unexpected = await compare({ base: app, head: app, scenario: scenario(false) });
    expect(unexpected.code).toBe(2);
    expect(unexpected.report.head.error?.code).toBe('REQUESTS_FAILED');
    expect(unexpected.report.head.error?.message).toMatch(
      /^head answers 404 to 2\d % of requests, base to 2\d %/,
    );
    expect(unexpected.stdout).toMatch(
      /^ERROR could not measure: base answers 404 to 2\d % of requests, head to 2\d %/,
    );
    expect(unexpected.stdout).toMatch(/GET \/gone: [\d,]+ of [\d,]+ requests failed \(404 ×[\d,]+\)/);
  });

  it('names a head that answers 500 to 40 % of requests where base answers none', async () => {
    const { code, stdout, report } = await compare({ base: {}, head: { FAIL_SHARE: 0.4 } });
    expect(code).toBe(2);
    expect(report.base.error).toBeUndefined();
    expect(report.head.error?.code).toBe('REQUESTS_FAILED');
    // 40 of every 100 answers fail; the warm-up may stop early, mid-cycle, when the heap stops drifting.
    const lead = /head answers 500 to (3[89]|4[01]) % of requests, base to 0 %/;
    expect(report.head.error?.message).toMatch(lead);
    expect(report.comparison.finding).toMatchObject({ rule: 'side-error', side: 'head' });
    expect(describeComparison(report)).toMatch(lead);
    expect(report.base.traffic?.failed).toBe(0);
    expect(stdout).toMatch(
      /^ERROR could not measure: head answers 500 to (3[89]|4[01]) % of requests, base to 0 %/,
    );
    // Stopped after the warm-up of each side.
    expect(report.schedule.roundsRun).toBe(0);
    expect(stdout).toMatch(/base traffic: ([\d,]+) requests, 100 % succeeded \(200 ×\1\)/);
    expect(stdout).toMatch(
      /head traffic: [\d,]+ requests, (59|6[012]) % succeeded \(200 ×[\d,]+, 500 ×[\d,]+\)/,
    );
  });

  it('reports a smaller but clear difference between head and base as its own error', async () => {
    const { code, report } = await compare({
      base: {},
      head: { FAIL_SHARE: 0.04 },
      args: ['--warmup', '2000'],
    });
    expect(code).toBe(2);
    expect(report.head.error?.code).toBe('FAILURES_DIFFER');
    expect(report.head.error?.message).toMatch(
      /^head answers 500 to [345](\.\d)? % of requests, base to 0 %/,
    );
    // Stopped after the warm-up, before any round.
    expect(report.head.traffic?.requests).toBe(report.head.load.requests);
    expect(report.schedule.roundsRun).toBe(0);
  });
});
