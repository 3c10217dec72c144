// When and how each side is snapshotted: as soon as its growth is evident (past half its cap), at the end
// where the verdict shows a diff (head on a regression, base when base grows too), and for a side that died
// without one, in a fresh process after small batches. Batches are sized from the measured slope so the third
// snapshot still fits under the cap, and bounded by the explanation budget. With time-held memory each batch
// waits out the hold before the next snapshot, so only what it leaked is still alive there.

import { setTimeout as delay } from 'node:timers/promises';
import { fitTheilSen, metricValue } from '../analysis/analysis.js';
import { snapshotGrowth } from '../explain/explain.js';
import type { Comparison, HeapExplanation, RunSchedule } from '../model/report.js';
import { holdCapMs } from './idle.js';
import {
  capShare,
  isRunning,
  loadAndSample,
  type MeasureRun,
  newSide,
  type SideState,
  startSide,
  toResult,
} from './side.js';

export interface ExplainContext {
  run: MeasureRun;
  schedule: RunSchedule;
  /** How many sides may need explaining: they share the explanation budget. */
  sideCount: number;
  bumpedPackages: readonly string[];
  keepSnapshotsDir?: string;
}

/** A side this full is leaking beyond doubt: snapshot it now, while the three snapshots still fit. */
const evidentCapShare = 0.5;
/** The third snapshot is taken with the heap at most at this share of its cap. */
const lastSnapshotCapShare = 0.85;
const minBatch = 10;
/** Timers fire up to a sampling interval after the hold measured: a batch's time-held memory is gone by then. */
const holdMarginMs = 5000;

const bytesOf = metricValue.heapPlusExternal;

function growthPerRequest(state: SideState): number {
  const samples = state.samples.filter((s) => s.phase === 'warmup' || s.phase === 'measure').slice(-8);
  const fit = fitTheilSen(
    samples.map((s) => s.requestsSent),
    samples.map(bytesOf),
  );
  if (fit) return fit.slope;
  const [first, last] = [samples[0], samples.at(-1)];
  if (!first || !last || last.requestsSent <= first.requestsSent) return 0;
  return (bytesOf(last) - bytesOf(first)) / (last.requestsSent - first.requestsSent);
}

/** Requests per batch: the default, fewer when the slope would take the third snapshot past the cap. */
function batchSize(
  state: SideState,
  context: ExplainContext,
  slope: number,
  heapBytes: number,
): number | null {
  const { plan } = context.run;
  const byDefault = Math.max(200, Math.min(2000, 2 * context.schedule.requestsPerRound));
  const rate = context.run.ratePerSecond ?? state.loads.at(-1)?.requestsPerSecond ?? Number.POSITIVE_INFINITY;
  const byBudget = Math.floor((rate * plan.explainBudgetMs) / 1000 / (2 * context.sideCount));
  const headroom = lastSnapshotCapShare * plan.heapCapMb * 2 ** 20 - heapBytes;
  const byCap = slope > 0 ? Math.floor(headroom / (2 * slope)) : Number.POSITIVE_INFINITY;
  const size = Math.min(byDefault, byBudget, byCap);
  return size >= minBatch ? size : null;
}

async function snapshotSide(state: SideState, context: ExplainContext, requestsPerBatch: number) {
  const app = state.app;
  if (!app) return;
  const { run } = context;
  const holdMs = Math.min(context.schedule.timeHeld?.holdMs ?? 0, holdCapMs);
  const taken = await snapshotGrowth({
    app,
    label: state.target.label,
    appDir: state.target.appDir,
    sendRequests: async (requests) => {
      await loadAndSample(state, requests, 'explain', run);
      // A batch's time-held objects would be alive in the next snapshot and read as growth (hiding the leak's
      // own objects among them): each snapshot waits until they have expired.
      if (holdMs <= 0) return;
      const waitMs = holdMs + holdMarginMs;
      run.log(
        `${state.target.label}: waiting ${Math.round(waitMs / 1000)} s for the batch's time-held memory`,
      );
      await delay(waitMs);
    },
    requestsPerBatch,
    workDir: run.workDir,
    bumpedPackages: context.bumpedPackages,
    keepSnapshotsDir: context.keepSnapshotsDir,
    log: run.log,
  });
  state.explanation = taken.explanation;
}

/** Snapshots a side past half its cap right away, unless snapshots are off or it already has its diff. */
export async function explainIfEvident(state: SideState, context: ExplainContext): Promise<void> {
  const { plan } = context.run;
  if (plan.heapSnapshots === 'never' || state.explanation || !isRunning(state)) return;
  if (capShare(state, plan) < evidentCapShare) return;
  const last = state.samples.at(-1);
  const size = last ? batchSize(state, context, growthPerRequest(state), bytesOf(last)) : null;
  if (size === null) return;
  context.run.log(`${state.target.label} is past half its cap: snapshotting it now, while the snapshots fit`);
  await snapshotSide(state, context, size);
}

/** Which sides the report shows a diff for: head on a regression, base when it grows too. */
export function sidesToExplain(
  states: SideState[],
  comparison: Comparison | null,
  plan: MeasureRun['plan'],
): SideState[] {
  const policy = plan.heapSnapshots;
  // Head first: it is the side a reviewer needs explained.
  if (policy === 'always') return [...states].reverse();
  const [base, head] = states;
  if (policy === 'never' || !comparison || !base || !head) return [];
  if (comparison.verdict === 'pre-existing') return [head, base];
  if (comparison.verdict !== 'regression') return [];
  const baseVerdict = toResult(base, plan.thresholdBytesPerRequest).verdict;
  const baseGrows = baseVerdict === 'leak' || baseVerdict === 'crashed' || base.explanation !== undefined;
  return baseGrows ? [head, base] : [head];
}

/**
 * Snapshots every side that needs a diff and has none: running ones now, dead ones in a fresh process (their
 * own run's process is gone) after small batches sized from the slope they died of.
 */
export async function explainSides(states: SideState[], context: ExplainContext): Promise<void> {
  const explainOne = async (state: SideState) => {
    if (state.explanation) return;
    if (isRunning(state)) {
      const last = state.samples.at(-1);
      const size = batchSize(state, context, growthPerRequest(state), last ? bytesOf(last) : 0);
      if (size !== null) await snapshotSide(state, context, size);
      else state.explanation = Promise.resolve(tooFull(state));
    } else if (state.app?.exit && state.app.exit.kind !== 'crash') {
      await explainInFreshProcess(state, context);
    }
  };
  // At a chosen rate the sides mostly wait (for their time-held memory too): explained side by side.
  if (context.schedule.timeHeld) await Promise.all(states.map(explainOne));
  else for (const state of states) await explainOne(state);
}

function tooFull(state: SideState): HeapExplanation {
  return {
    label: state.target.label,
    status: 'skipped',
    reason: 'the app was too close to its heap cap for three snapshots',
  };
}

async function explainInFreshProcess(dead: SideState, context: ExplainContext): Promise<void> {
  const { run } = context;
  const fresh = newSide(dead.target, run);
  run.log(`${dead.target.label} died before its snapshots: restarting it to snapshot a fresh process`);
  await startSide(fresh, run, `${dead.target.label}-explain`);
  try {
    if (!isRunning(fresh)) {
      dead.explanation = Promise.resolve({
        label: dead.target.label,
        status: 'skipped',
        reason: `the app could not be restarted for its snapshots: ${fresh.error?.message ?? 'it exited'}`,
      });
      return;
    }
    await loadAndSample(fresh, minBatch, 'warmup', run);
    const last = fresh.samples.at(-1);
    const size = batchSize(fresh, context, growthPerRequest(dead), last ? bytesOf(last) : 0);
    if (size === null) {
      dead.explanation = Promise.resolve(tooFull(dead));
      return;
    }
    await snapshotSide(fresh, context, size);
    dead.explanation = fresh.explanation;
  } finally {
    await fresh.app?.stop();
  }
}
