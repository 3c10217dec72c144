import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export type LeakScenario = 'map' | 'listener' | 'weakmap' | 'buffer' | 'control';

export const WARMUP_REQUESTS = 300;
export const ROUND_REQUESTS = 500;

const fixtures = join(import.meta.dirname, 'fixtures');

/** Runs the fixture app in a fresh directory, where leaky-lib lives in node_modules, and returns its 3 snapshots. */
export async function takeFixtureSnapshots(
  scenario: LeakScenario,
): Promise<{ dir: string; paths: [string, string, string] }> {
  const dir = await mkdtemp(join(tmpdir(), `leakwatch-heap-${scenario}-`));
  const lib = join(dir, 'node_modules', 'leaky-lib');
  await mkdir(lib, { recursive: true });
  await writeFile(
    join(lib, 'package.json'),
    JSON.stringify({ name: 'leaky-lib', version: '1.0.0', main: 'index.js' }),
  );
  await copyFile(join(fixtures, 'leaky-lib.cjs'), join(lib, 'index.js'));
  await copyFile(join(fixtures, 'app.cjs'), join(dir, 'app.cjs'));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['app.cjs', scenario, dir, String(WARMUP_REQUESTS), String(ROUND_REQUESTS)],
    { cwd: dir, env: { PATH: process.env.PATH ?? '' } },
  );
  return { dir, paths: JSON.parse(stdout) as [string, string, string] };
}
