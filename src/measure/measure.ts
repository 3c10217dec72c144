// Orchestrates one measurement: starts every side's app, warms them up, then runs load rounds with every side
// loaded at once (so drift in the machine hits both sides alike), sampling each side after its round.
import { mkdir } from 'node:fs/promises';
import { checkStubMisses } from '../analysis/stub-misses.js';
import { checkTraffic } from '../analysis/traffic.js';
import { fitScheduleToBudget, minRounds } from '../load/schedule.js';
import type { HeapExplanation, MeasuredSide, RunPlan, RunSchedule } from '../model/report.js';
import type { Scenario } from '../scenario/types.js';
import { type ExplainContext, explainIfEvident, explainSides, sidesToExplain } from './explain-sides.js';
import { holdCapMs, settle } from './idle.js';
import { readNetwork, unusedStubError } from './network.js';
import {
  describeRound,
  isRunning,
  loadAndSample,
  type MeasureRun,
  newSide,
  type SideState,
  type SideTarget,
  startSide,
  toResult,
} from './side.js';
import { currentComparison, isVerdictClear, retireSurvivor } from './verdict-now.js';
import { warmUp } from './warmup.js';

export type { SideTarget } from './side.js';

export interface MeasureSidesOptions {
  sides: SideTarget[];
  plan: RunPlan;
  scenario: Scenario;
  /** Extra env for the apps (the scenario's); each side's stubs add theirs. */
  appEnv: Record<string, string>;
  probePath: string;
  /** Where app logs go. */
  workDir: string;
  /** Packages the change bumped, so heap diffs can say when growing objects live in one. */
  bumpedPackages?: readonly string[];
  /** Keep heap snapshots here instead of deleting them after the analysis. */
  keepSnapshotsDir?: string;
  /** Pause between the end of a round and the sample, so in-flight work and sockets close. */
  quiesceMs?: number;
  log: (line: string) => void;
}

export interface MeasuredSides {
  sides: MeasuredSide[];
  schedule: RunSchedule;
  heapDiffs: HeapExplanation[];
}

export async function measureSides(options: MeasureSidesOptions): Promise<MeasuredSides> {
  const { plan, log } = options;
  await mkdir(options.workDir, { recursive: true });
  const run: MeasureRun = { ...options, ratePerSecond: plan.ratePerSecond ?? undefined };
  const states = options.sides.map((target) => newSide(target, run));
  let schedule = fitScheduleToBudget(plan, Number.POSITIVE_INFINITY);
  const explain = {
    run,
    sideCount: states.length,
    bumpedPackages: options.bumpedPackages ?? [],
    keepSnapshotsDir: options.keepSnapshotsDir,
  };
  let shown: SideState[] = [];
  try {
    log(`starting ${states.map((state) => state.target.label).join(' and ')} with \`${plan.startCommand}\``);
    await Promise.all(states.map((state) => startSide(state, run)));
    const warmed = await warmUp(states, run, explain);
    schedule = warmed.schedule;
    // Failing traffic is an error by the end of warm-up: rounds of error pages would measure nothing.
    if (!(await flagFailingTraffic(states, schedule.warmupRequests, run))) {
      if (schedule.warmupRequests > 0) await checkStubsUsed(states, schedule.warmupRequests, run);
      const settleBounds = settleBoundsFor(plan, schedule);
      // Settling before and after the rounds gives two timer-free samples: what stays between them was leaked.
      if (!warmed.isSettled) await settle(states, run, settleBounds);
      await runRounds(states, run, { ...explain, schedule });
      if (!(await flagFailingTraffic(states, null, run))) {
        shown = await explainAndSettle(states, run, { ...explain, schedule }, settleBounds);
      }
    }
  } finally {
    await Promise.all(
      states.map(async (state) => {
        state.network ??= await readNetwork(state.target.upstreams, state.app, plan.outbound);
        await state.app?.stop();
      }),
    );
  }
  // Only the diffs the report shows: a side snapshotted early whose diff the verdict does not need is dropped.
  const heapDiffs = await Promise.all(shown.flatMap((state) => state.explanation ?? []));
  return {
    sides: states.map((state) => toResult(state, plan.thresholdBytesPerRequest)),
    schedule,
    heapDiffs,
  };
}

/**
 * Marks each side whose answers fail beyond `maxFailedShare`, whose stubs missed their fixtures beyond it, or
 * that differs clearly from the other side in either, as an error; sides that crashed, never started or failed
 * otherwise keep their own. True when any side's traffic failed. `stubCheckRequests`: the warm-up requests
 * sent, when unused stubs may be the cause.
 */
async function flagFailingTraffic(
  states: SideState[],
  stubCheckRequests: number | null,
  run: MeasureRun,
): Promise<boolean> {
  const sides = await Promise.all(
    states.map(async (state) => ({
      label: state.target.label,
      traffic: state.traffic.counts(),
      isMeasured: isRunning(state),
      network: isRunning(state)
        ? await readNetwork(state.target.upstreams, state.app, run.plan.outbound)
        : undefined,
    })),
  );
  const problems = checkTraffic(sides, run.plan.maxFailedShare);
  // Misses are the likelier cause of failing pages, so their error comes first.
  const misses = checkStubMisses(sides, run.plan.maxFailedShare);
  // Pages fail when the upstream the app calls is missing: a stub it never called names that cause.
  if (problems.length + misses.length > 0 && stubCheckRequests) {
    await checkStubsUsed(states, stubCheckRequests, run);
  }
  for (const problem of [...misses, ...problems]) {
    const state = states.find((candidate) => candidate.target.label === problem.label);
    if (!state) continue;
    state.isTrafficFailing = true;
    state.network ??= sides.find((side) => side.label === problem.label)?.network;
    state.error ??= { code: problem.code, message: problem.message, hint: problem.hint };
    run.log(`${problem.label}: ${problem.message}`);
  }
  return states.some((state) => state.isTrafficFailing);
}

/** A side whose declared stub got no request during warm-up is an error, measured no further. */
async function checkStubsUsed(states: SideState[], requests: number, run: MeasureRun) {
  for (const state of states.filter(isRunning)) {
    const network = await readNetwork(state.target.upstreams, state.app, run.plan.outbound);
    const error = unusedStubError(network, requests);
    if (!error) continue;
    state.error = error;
    state.network = network;
    run.log(`${state.target.label}: ${error.message}`);
  }
}

/**
 * Settles every side and explains the ones the settled verdict shows a diff for. Before the settle, memory
 * timers still hold reads as growth (or hides it), so a time-held run settles first and explains after; others
 * explain first, and each side's snapshot analysis runs on while both settle.
 */
async function explainAndSettle(
  states: SideState[],
  run: MeasureRun,
  context: ExplainContext,
  bounds: { minMs: number; maxMs: number },
): Promise<SideState[]> {
  const toExplain = () => sidesToExplain(states, currentComparison(states, run.plan), run.plan);
  if (context.schedule.timeHeld) {
    await settle(states, run, bounds);
    const shown = toExplain();
    await explainSides(shown, context);
    return shown;
  }
  const shown = toExplain();
  await explainSides(shown, context);
  await settle(states, run, bounds);
  const settled = toExplain();
  return shown.filter((state) => settled.includes(state));
}

/** Settle-ms is the longest idle; time-held memory makes settling wait at least its hold (up to the cap). */
function settleBoundsFor(plan: RunPlan, schedule: RunSchedule): { minMs: number; maxMs: number } {
  const holdMs = Math.min(schedule.timeHeld?.holdMs ?? 0, holdCapMs);
  if (plan.settleMs <= 0) return { minMs: 0, maxMs: 0 };
  return { minMs: holdMs, maxMs: holdMs > 0 ? Math.max(plan.settleMs, holdMs + 10_000) : plan.settleMs };
}

async function runRounds(states: SideState[], run: MeasureRun, context: ExplainContext): Promise<void> {
  const { plan, log } = run;
  const { schedule } = context;
  const roundsStartedAt = Date.now();
  for (let round = 0; round < schedule.roundsPlanned; round++) {
    if (!states.some(isRunning)) break;
    // Loaded together, the sides read the same slopes as loaded in turn, in 0.6-0.8x the time on two cores.
    await Promise.all(
      states.map(async (state) => {
        await loadAndSample(state, schedule.requestsPerRound, 'measure', run);
        await explainIfEvident(state, context);
      }),
    );
    schedule.roundsRun = round + 1;
    const secondsLeft = ((Date.now() - roundsStartedAt) / (round + 1)) * (schedule.roundsPlanned - round - 1);
    const eta = round + 1 < schedule.roundsPlanned ? ` (~${Math.ceil(secondsLeft / 1000)} s left)` : '';
    log(`round ${round + 1}/${schedule.roundsPlanned}: ${describeRound(states)}${eta}`);
    await retireSurvivor(states, run);
    const isLongEnough = round + 1 >= Math.max(minRounds, Math.ceil(schedule.roundsPlanned / 2));
    // Time-held memory fills for its hold time at the chosen rate: until then both sides grow along the same
    // steep, exact line, and a few B/request between two such lines looked clear (a null run stopped early and
    // failed).
    const isPastHold = !schedule.timeHeld || Date.now() - roundsStartedAt >= schedule.timeHeld.holdMs;
    if (isLongEnough && isPastHold && isVerdictClear(states, plan.thresholdBytesPerRequest)) {
      schedule.isStoppedEarly = round + 1 < schedule.roundsPlanned;
      if (schedule.isStoppedEarly) log(`the verdict is clear after ${round + 1} rounds: stopping early`);
      break;
    }
  }
}
