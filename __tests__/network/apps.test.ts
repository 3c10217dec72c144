// Real apps, unmodified, whose code calls hard-coded API origins: a Next.js pages-router app (getServerSideProps,
// global fetch, https://) compared through the bundled CLI, and an Express app (axios, http://) measured through
// it. Every page must render from the fixtures (a failed upstream call is a 500 or 502), the stubs must count
// the calls, and nothing may be blocked: the origins are all rerouted.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect(report.app.network?.hosts).toEqual([
      expect.objectContaining({ host: 'cms.internal:8080', action: 'stub' }),
    ]);
  }, 300_000);
});
