// The engine's entry: measures base and head (or one app) under identical conditions and returns the typed report.
import { cpus } from 'node:os';
import { compareSides } from '../analysis/rules.js';
import { type RunningUpstreams, startUpstreams } from '../app/upstream/start.js';
import type { Environment, MeasuredCompareReport, MeasureReport, RunPlan } from '../model/report.js';
import { describeIsolation } from '../process/isolation/sandbox.js';
import type { Scenario } from '../scenario/types.js';
import { measureSides, type SideTarget } from './measure.js';

export interface EngineContext {
  scenario: Scenario;
  /** Folder of the scenario file, for upstream fixtures. */
  scenarioDir: string;
  probePath: string;
  leakwatchVersion: string;
  /** Packages the change bumped, named in heap diffs. */
  bumpedPackages?: readonly string[];
  /** Keep heap snapshots here instead of deleting them after the analysis. */
  keepSnapshotsDir?: string;
  /** Where app logs go (and heap snapshots while they are analysed); the caller owns it and decides its fate. */
  workDir: string;
  log: (line: string) => void;
}

export async function compareApps(
  dirs: { baseDir: string; headDir: string; nodeBinDirs?: { base?: string; head?: string } },
  plan: RunPlan,
  context: EngineContext,
): Promise<MeasuredCompareReport> {
  const startedAt = new Date();
  const { sides, schedule, heapDiffs } = await runSides(
    [
      { label: 'base', appDir: dirs.baseDir, nodeBinDir: dirs.nodeBinDirs?.base },
      { label: 'head', appDir: dirs.headDir, nodeBinDir: dirs.nodeBinDirs?.head },
    ],
    plan,
    context,
  );
  const [base, head] = sides;
  if (!base || !head) throw new Error('measureSides returned fewer sides than asked for');
  return {
    schemaVersion: 1,
    kind: 'compare',
    plan,
    environment: describeEnvironment(context.leakwatchVersion),
    base,
    head,
    comparison: compareSides(base, head, plan.thresholdBytesPerRequest, plan.heapCapMb * 2 ** 20),
    schedule,
    ...(heapDiffs.length > 0 ? { heapDiffs } : {}),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}

export async function measureApp(
  appDir: string,
  plan: RunPlan,
  context: EngineContext,
): Promise<MeasureReport> {
  const startedAt = new Date();
  const {
    sides: [app],
    schedule,
    heapDiffs,
  } = await runSides([{ label: 'app', appDir }], plan, context);
  if (!app) throw new Error('measureSides returned no side');
  return {
    schemaVersion: 1,
    kind: 'measure',
    plan,
    environment: describeEnvironment(context.leakwatchVersion),
    app,
    schedule,
    ...(heapDiffs.length > 0 ? { heapDiffs } : {}),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}

/** Each side gets stubs of its own: their request counts are that side's, and neither side's load delays the other's answers. */
async function runSides(sides: SideTarget[], plan: RunPlan, context: EngineContext) {
  const { scenario } = context;
  const started: RunningUpstreams[] = [];
  try {
    const targets: SideTarget[] = [];
    for (const side of sides) {
      const upstreams = await startUpstreams({
        specs: scenario.upstreams ?? [],
        scenarioDir: context.scenarioDir,
        outbound: plan.outbound,
        log: (line) => context.log(`${side.label}: ${line}`),
      });
      started.push(upstreams);
      targets.push({ ...side, upstreams });
    }
    // `return await`: the stubs must outlive the measurement, not just its start.
    return await measureSides({
      sides: targets,
      plan,
      scenario,
      appEnv: { ...scenario.env },
      probePath: context.probePath,
      bumpedPackages: context.bumpedPackages,
      keepSnapshotsDir: context.keepSnapshotsDir,
      workDir: context.workDir,
      log: context.log,
    });
  } finally {
    await Promise.all(started.map((upstreams) => upstreams.stop()));
  }
}

export function describeEnvironment(leakwatchVersion: string): Environment {
  return {
    leakwatchVersion,
    nodeVersion: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    isolation: describeIsolation(),
  };
}
