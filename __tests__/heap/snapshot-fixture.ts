import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export type LeakScenario =
  | 'map'
  | 'listener'
  | 'weakmap'
  | 'buffer'
  | 'control'
  | 'esm'
  | 'http-leak'
  | 'http-control';

export const WARMUP_REQUESTS = 300;
export const ROUND_REQUESTS = 500;

const fixtures = join(import.meta.dirname, 'fixtures');

/** Runs a fixture app in a fresh directory, with its library in node_modules, and returns its 3 snapshots. */
export async function takeFixtureSnapshots(
  scenario: LeakScenario,
): Promise<{ dir: string; paths: [string, string, string] }> {
  const dir = await mkdtemp(join(tmpdir(), `leakwatch-heap-${scenario}-`));
  const isEsm = scenario === 'esm';
  const name = isEsm ? 'esm-lib' : 'leaky-lib';
  const lib = join(dir, 'node_modules', name);
  await mkdir(join(lib, 'dist'), { recursive: true });
  const manifest = isEsm
    ? { name, version: '2.0.0', type: 'module', exports: './dist/rate-limit.js' }
    : { name, version: '1.0.0', main: 'index.js' };
  await writeFile(join(lib, 'package.json'), JSON.stringify(manifest));
  await copyFile(
    join(fixtures, isEsm ? 'esm-lib.mjs' : 'leaky-lib.cjs'),
    join(lib, isEsm ? 'dist/rate-limit.js' : 'index.js'),
  );
  const isHttp = scenario.startsWith('http-');
  const app = isEsm ? 'esm-app.mjs' : isHttp ? 'http-app.cjs' : 'app.cjs';
  await copyFile(join(fixtures, app), join(dir, app));
  const scenarioArgs = isEsm ? [] : [isHttp ? scenario.slice('http-'.length) : scenario];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [app, ...scenarioArgs, dir, String(WARMUP_REQUESTS), String(ROUND_REQUESTS)],
    { cwd: dir, env: { PATH: process.env.PATH ?? '' } },
  );
  return { dir, paths: JSON.parse(stdout) as [string, string, string] };
}
