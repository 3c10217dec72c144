// Runs the real engine (real fixture servers, real probe bundle from dist/, real autocannon) with test settings.
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compareApps } from '../../src/measure/compare.js';
import { probePath } from '../../src/process/package-files.js';
import type { Scenario } from '../../src/scenario/types.js';
import { buildRunPlan } from '../../src/settings/read.js';
import type { PlanSettings } from '../../src/settings/table.js';

const fixtureServer = resolve(import.meta.dirname, '../fixtures/servers/server.cjs');

export const uniquePathScenario: Scenario = {
  name: 'test-unique-paths',
  requests: [{ path: '/item/{{seq}}' }],
};

export type FixtureConfig = Record<string, string | number>;

/** Makes an app folder holding the fixture server and its leak.json: base and head differ only in that file. */
export async function makeFixtureApp(parent: string, label: string, config: FixtureConfig): Promise<string> {
  const dir = join(parent, label);
  await mkdir(dir, { recursive: true });
  await copyFile(fixtureServer, join(dir, 'server.cjs'));
  await writeFile(join(dir, 'leak.json'), JSON.stringify(config));
  return dir;
}

export async function compareFixtures(options: {
  base: FixtureConfig;
  head: FixtureConfig;
  settings?: PlanSettings;
  scenario?: Scenario;
  /** Unique text in the app's argv, so a test can look for leftover processes. */
  marker?: string;
}) {
  const scenario = options.scenario ?? uniquePathScenario;
  const workDir = await mkdtemp(join(tmpdir(), 'leakwatch-test-'));
  const baseDir = await makeFixtureApp(workDir, 'base', options.base);
  const headDir = await makeFixtureApp(workDir, 'head', options.head);
  const lines: string[] = [];
  const plan = buildRunPlan(
    {
      startCommand: `node server.cjs --marker=${options.marker ?? 'leakwatch-fixture'}`,
      rounds: 12,
      requestsPerRound: 500,
      // Most tests are not about settling or heap diffs: keep them quick.
      settleMs: 500,
      heapSnapshots: 'never',
      ...options.settings,
    },
    scenario,
  );
  const report = await compareApps({ baseDir, headDir }, plan, {
    scenario,
    scenarioDir: workDir,
    probePath: probePath(),
    leakwatchVersion: 'test',
    workDir: join(workDir, 'logs'),
    log: (line) => {
      lines.push(line);
      // Long fixtures are easier to follow (and to debug) with their progress on stderr.
      if (process.env.LEAKWATCH_TEST_LOG) process.stderr.write(`${line}\n`);
    },
  });
  return { report, lines, workDir };
}

export function primarySteady(side: {
  fits: { metric: string; steady: { slope: number } | null }[];
}): number {
  const fit = side.fits.find((candidate) => candidate.metric === 'heapPlusExternal');
  if (!fit?.steady) throw new Error('no steady fit on the primary metric');
  return fit.steady.slope;
}
