// Real apps, unmodified, whose code calls hard-coded API origins: a Next.js pages-router app (getServerSideProps,
// global fetch, https://) compared through the bundled CLI, and an Express app (axios, http://) measured through
// it. Every page must render from the fixtures (a failed upstream call is a 500 or 502), the stubs must count
// the calls, and nothing may be blocked: the origins are all rerouted.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeasureReport } from '../../src/model/report.js';
import { parseCompare, parseMeasure, projectRoot, quickLoad, runCli } from './helpers.js';

const run = promisify(execFile);
const fixtures = join(projectRoot, '__tests__', 'fixtures');
const root = mkdtempSync(join(tmpdir(), 'leakwatch-network-apps-'));
const nextDir = join(root, 'next');
const expressDir = join(root, 'express');

beforeAll(async () => {
  for (const file of ['package.json', 'package-lock.json', 'next.config.mjs'])
    cpSync(join(fixtures, 'next-app', file), join(nextDir, file));
  cpSync(join(fixtures, 'next-pokeapi'), nextDir, { recursive: true });
  cpSync(join(fixtures, 'express-axios'), expressDir, { recursive: true });
  mkdirSync(join(expressDir, 'fixtures', 'cms', 'api', 'articles'), { recursive: true });
  for (const slug of ['hello', 'world']) {
    writeFileSync(
      join(expressDir, 'fixtures', 'cms', 'api', 'articles', `${slug}.json`),
      JSON.stringify({ title: `Title ${slug}`, body: `Body of ${slug}` }),
    );
  }
  writeFileSync(
    join(expressDir, 'scenario.yml'),
    'requests:\n  - path: /articles/{{pick:hello,world}}\nreadyPath: /health\nupstreams:\n  - name: cms\n    hosts: ["http://cms.internal:8080"]\n    fixtures: fixtures/cms\n',
  );
  // A scenario whose fixtures folder is still empty: the tag pages render 200 on the CMS's 404s.
  mkdirSync(join(expressDir, 'fixtures', 'empty'));
  writeFileSync(
    join(expressDir, 'tags.yml'),
    'requests:\n  - path: /tags/{{pick:news,sport}}\nreadyPath: /health\nupstreams:\n  - name: cms\n    hosts: ["http://cms.internal:8080"]\n    fixtures: fixtures/empty\n',
  );
  const install = (cwd: string) => run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd });
  await Promise.all([install(nextDir), install(expressDir)]);
  await run('npx', ['next', 'build'], {
    cwd: nextDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
}, 600_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('unmodified apps calling hard-coded origins', () => {
  it('compares a Next.js app whose getServerSideProps fetches https://pokeapi.co, answered from fixtures', async () => {
    const result = await runCli(
      [
        'compare',
        '--base-dir',
        nextDir,
        '--head-dir',
        nextDir,
        '--scenario',
        join(nextDir, 'scenario.yml'),
        '--json',
        ...quickLoad,
      ],
      root,
    );
    const report = parseCompare(result);
    expect(report.comparison.verdict, JSON.stringify(report.comparison.finding)).not.toBe('error');
    for (const side of [report.base, report.head]) {
      expect(side.traffic?.failed).toBe(0);
      // One page per request, plus the ready check's page (the ready path is /).
      const stub = side.network?.stubs[0];
      expect(stub).toMatchObject({ name: 'pokeapi', hosts: ['https://pokeapi.co'] });
      expect(stub?.requests).toBeGreaterThanOrEqual(side.load.requests);
      expect(stub?.requests).toBeLessThanOrEqual(side.load.requests + 5);
      expect(side.network?.hosts.filter((host) => host.action !== 'stub')).toEqual([]);
      expect(side.network?.hosts).toContainEqual(
        expect.objectContaining({ host: 'pokeapi.co:443', action: 'stub', upstream: 'pokeapi' }),
      );
    }
  }, 300_000);

  it('measures an Express app whose axios client calls http://cms.internal:8080, answered from fixtures', async () => {
    const result = await runCli(
      [
        'measure',
        '--dir',
        expressDir,
        '--start',
        'npm start',
        '--scenario',
        join(expressDir, 'scenario.yml'),
        '--json',
        ...quickLoad,
      ],
      root,
    );
    const report = parseMeasure(result);
    expect(report.app.error).toBeUndefined();
    expect(report.app.traffic?.failed).toBe(0);
    expect(report.app.network?.stubs[0]?.requests).toBe(report.app.load.requests);
    expect(report.app.network?.stubs[0]).toMatchObject({
      source: 'fixtures',
      answered: report.app.load.requests,
      misses: 0,
      missedPaths: [],
    });
    expect(report.app.network?.hosts).toEqual([
      expect.objectContaining({ host: 'cms.internal:8080', action: 'stub' }),
    ]);
  }, 300_000);

  it('stops with exit 2 when the stub has no fixture for what the app asks, though every page answered 200', async () => {
    const result = await runCli(
      [
        'measure',
        '--dir',
        expressDir,
        '--start',
        'npm start',
        '--scenario',
        join(expressDir, 'tags.yml'),
        '--report',
        join(root, 'tags.json'),
        ...quickLoad,
      ],
      root,
    );
    expect(result.exitCode, result.stderr).toBe(2);
    const report = JSON.parse(readFileSync(join(root, 'tags.json'), 'utf8')) as MeasureReport;
    // The app's own answers are all fine: only the stub's counts tell.
    expect(report.app.traffic?.failed).toBe(0);
    expect(report.app.error?.code).toBe('UPSTREAM_MISSES');
    const stub = report.app.network?.stubs[0];
    expect(stub).toMatchObject({ name: 'cms', source: 'fixtures', answered: 0 });
    expect(stub?.misses).toBe(stub?.requests);
    expect(stub?.misses).toBeGreaterThanOrEqual(100);
    const missed = Object.fromEntries((stub?.missedPaths ?? []).map((entry) => [entry.path, entry]));
    expect(Object.keys(missed).sort()).toEqual(['/api/tags/news?locale=en', '/api/tags/sport?locale=en']);
    expect(missed['/api/tags/news?locale=en']?.file).toBe('api/tags/news%3Flocale=en.json');
    expect(report.app.error?.message).toMatch(
      /app's upstream "cms" had no fixture for 100 % of its requests: .*"cms" missed \d+ of \d+ \(\/api\/tags\/(news|sport)\?locale=en ×\d+, /,
    );
    expect(report.app.error?.hint).toContain('leakwatch record');
    expect(report.app.error?.hint).toContain(join(expressDir, 'fixtures', 'empty'));
    // The terminal says it too, in the result and in the traffic line.
    const text = result.stdout.replace(/\n +/g, ' ');
    expect(text).toMatch(/^ERROR /);
    expect(text).toMatch(
      /cause +app's upstream "cms" had no fixture for 100 % of its requests: .* \(UPSTREAM_MISSES\)/,
    );
    expect(text).toMatch(/stubs: cms \d+ requests \(0 from fixtures, \d+ missed\)/);
  }, 300_000);
});
