// Orchestrates one measurement: starts every side's app, warms them up, then runs alternating load rounds
// (ABBA order, so drift in the machine hits both sides alike), sampling after each round.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { compareSides, fitMetrics, isDecelerating, primaryFit, sideVerdict } from '../analysis/analysis.js';
import { type RunningApp, startApp } from '../app/app.js';
import type { RunningUpstreams } from '../app/upstream/start.js';
import { snapshotGrowth } from '../explain/explain.js';
import { sendLoad } from '../load/load.js';
import { fitScheduleToBudget, minRounds, throughputProbeRequests } from '../load/schedule.js';
import { LeakwatchError } from '../model/errors.js';
import type {
  HeapExplanation,
  LoadStats,
  MemorySample,
  RunPlan,
  RunSchedule,
  SideNetwork,
  SideResult,
} from '../model/report.js';
import { formatBytes } from '../model/units.js';
import { createRequestSequence } from '../scenario/sequence.js';
import type { Scenario } from '../scenario/types.js';
import { readNetwork, unusedStubError } from './network.js';

export interface SideTarget {
  label: SideResult['label'];
  appDir: string;
  /** This side's stubs: their env goes to the app, their request counts into the report. */
  upstreams?: RunningUpstreams;
  /** This side's own Node.js (a runtime bump), put first on the app's PATH. */
  nodeBinDir?: string;
}

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

interface SideState {
  target: SideTarget;
  app: RunningApp | null;
  samples: MemorySample[];
  loads: LoadStats[];
  requestsSent: number;
  nextRequest: ReturnType<typeof createRequestSequence>;
  error?: SideResult['error'];
  network?: SideNetwork;
}

export interface MeasuredSides {
  sides: SideResult[];
  schedule: RunSchedule;
  heapDiffs: HeapExplanation[];
}

export async function measureSides(options: MeasureSidesOptions): Promise<MeasuredSides> {
  const { plan, log } = options;
  await mkdir(options.workDir, { recursive: true });
  const states: SideState[] = options.sides.map((target) => ({
    target,
    app: null,
    samples: [],
    loads: [],
    requestsSent: 0,
    nextRequest: createRequestSequence(options.scenario, plan.seed),
  }));
  let schedule = fitScheduleToBudget(plan, Number.POSITIVE_INFINITY);
  let heapDiffs: HeapExplanation[] = [];

  try {
    log(`starting ${states.map((state) => state.target.label).join(' and ')} with \`${plan.startCommand}\``);
    await Promise.all(states.map((state) => startSide(state, options)));

    schedule = await warmUp(states, options);
    if (schedule.warmupRequests > 0) await checkStubsUsed(states, schedule.warmupRequests, options);
    // Settling before and after the rounds gives two timer-free samples: what stays between them was leaked.
    await settle(states, options);
    const roundsStartedAt = Date.now();
    for (let round = 0; round < schedule.roundsPlanned; round++) {
      if (!states.some(isRunning)) break;
      const order = round % 2 === 0 ? states : [...states].reverse();
      for (const state of order) await loadAndSample(state, schedule.requestsPerRound, 'measure', options);
      schedule.roundsRun = round + 1;
      const secondsLeft =
        ((Date.now() - roundsStartedAt) / (round + 1)) * (schedule.roundsPlanned - round - 1);
      const eta = round + 1 < schedule.roundsPlanned ? ` (~${Math.ceil(secondsLeft / 1000)} s left)` : '';
      log(`round ${round + 1}/${schedule.roundsPlanned}: ${describeRound(states)}${eta}`);
      const isLongEnough = round + 1 >= Math.max(minRounds, Math.ceil(schedule.roundsPlanned / 2));
      if (isLongEnough && isVerdictClear(states, plan.thresholdBytesPerRequest)) {
        schedule.isStoppedEarly = round + 1 < schedule.roundsPlanned;
        if (schedule.isStoppedEarly) log(`the verdict is clear after ${round + 1} rounds: stopping early`);
        break;
      }
    }
    // Each side's snapshot analysis runs on while the next side is snapshotted and while both settle.
    const analyses = await snapshotIfAsked(states, schedule, options);
    [heapDiffs] = await Promise.all([Promise.all(analyses), settle(states, options)]);
  } finally {
    await Promise.all(
      states.map(async (state) => {
        state.network ??= await readNetwork(state.target.upstreams, state.app, plan.outbound);
        await state.app?.stop();
      }),
    );
  }
  return {
    sides: states.map((state) => toResult(state, plan.thresholdBytesPerRequest)),
    schedule,
    heapDiffs,
  };
}

/** Warms every side up, measuring throughput on the first requests to size the rest to the time budget. */
async function warmUp(states: SideState[], options: MeasureSidesOptions): Promise<RunSchedule> {
  const { plan, log } = options;
  const firstRequests = Math.min(plan.warmupRequests, throughputProbeRequests);
  const rates: number[] = [];
  for (const state of states) {
    const stats = await loadAndSample(state, firstRequests, 'warmup', options);
    if (stats) rates.push(stats.requestsPerSecond);
  }
  const schedule = fitScheduleToBudget(
    plan,
    rates.length > 0 ? Math.min(...rates) : Number.POSITIVE_INFINITY,
  );
  if (schedule.isShrunkToBudget) {
    log(
      `the app serves about ${schedule.warmupRequestsPerSecond} requests/s: sized to the ${plan.timeBudgetMs / 1000} s budget per side, ` +
        `${schedule.warmupRequests} warm-up requests and ${schedule.roundsPlanned} rounds of ${schedule.requestsPerRound}`,
    );
  }
  // A side that failed to start or died in the first requests is not warmed up; when none is left, nothing is.
  const running = states.filter(isRunning);
  if (running.length === 0) return schedule;
  log(
    `warming up ${running.map((state) => state.target.label).join(' and ')}: ${schedule.warmupRequests} requests each`,
  );
  for (const state of running) {
    await loadAndSample(state, Math.max(0, schedule.warmupRequests - firstRequests), 'warmup', options);
  }
  return schedule;
}

/** Two sides whose comparison is already beyond doubt: the delta clears the threshold by its whole uncertainty. */
function isVerdictClear(states: SideState[], thresholdBytesPerRequest: number): boolean {
  const [base, head] = states;
  if (states.length !== 2 || !base || !head || !states.every(isRunning)) return false;
  const sides = [toResult(base, thresholdBytesPerRequest), toResult(head, thresholdBytesPerRequest)] as const;
  // A cache still filling looks like a leak until it is full: never stop early while growth is slowing.
  const isSlowing = sides.some((side) => {
    const fit = primaryFit(side);
    return fit !== undefined && isDecelerating(fit, thresholdBytesPerRequest);
  });
  if (isSlowing) return false;
  const { deltaBytesPerRequest: delta, deltaUncertainty: uncertainty } = compareSides(
    ...sides,
    thresholdBytesPerRequest,
  );
  if (delta === null || uncertainty === null) return false;
  return Math.abs(delta) - uncertainty > thresholdBytesPerRequest;
}

/**
 * Heap snapshots of every running side when the policy says so (always, or on a regression under load), with
 * their analyses still running.
 */
async function snapshotIfAsked(
  states: SideState[],
  schedule: RunSchedule,
  options: MeasureSidesOptions,
): Promise<Promise<HeapExplanation>[]> {
  const { plan } = options;
  if (plan.heapSnapshots === 'never') return [];
  if (plan.heapSnapshots === 'on-regression') {
    const [base, head] = states;
    if (!base || !head || !isRunning(head)) return [];
    const comparison = compareSides(
      toResult(base, plan.thresholdBytesPerRequest),
      toResult(head, plan.thresholdBytesPerRequest),
      plan.thresholdBytesPerRequest,
    );
    if (comparison.verdict !== 'regression') return [];
  }
  const analyses: Promise<HeapExplanation>[] = [];
  // Head first: it is the side a reviewer needs explained; base is there for contrast.
  for (const state of [...states].reverse()) {
    const app = state.app;
    if (!app || !isRunning(state)) continue;
    const taken = await snapshotGrowth({
      app,
      label: state.target.label,
      appDir: state.target.appDir,
      sendRequests: async (requests) => {
        await loadAndSample(state, requests, 'explain', options);
      },
      requestsPerBatch: Math.max(200, Math.min(2000, 2 * schedule.requestsPerRound)),
      workDir: options.workDir,
      bumpedPackages: options.bumpedPackages ?? [],
      keepSnapshotsDir: options.keepSnapshotsDir,
      log: options.log,
    });
    analyses.push(taken.explanation);
  }
  return analyses;
}

/** Idles, then samples: memory that timers held under load is gone by now, a leak's is not. */
async function settle(states: SideState[], options: MeasureSidesOptions): Promise<void> {
  if (options.plan.settleMs <= 0 || !states.some(isRunning)) return;
  options.log(`settling: ${options.plan.settleMs / 1000} s idle, then a sample`);
  await delay(options.plan.settleMs);
  await Promise.all(states.map((state) => sample(state, 'settle')));
}

const isRunning = (state: SideState) => state.app !== null && state.app.exit === null && !state.error;

/** A side whose declared stub got no request during warm-up is an error, measured no further. */
async function checkStubsUsed(states: SideState[], requests: number, options: MeasureSidesOptions) {
  for (const state of states.filter(isRunning)) {
    const network = await readNetwork(state.target.upstreams, state.app, options.plan.outbound);
    const error = unusedStubError(network, requests);
    if (!error) continue;
    state.error = error;
    state.network = network;
    options.log(`${state.target.label}: ${error.message}`);
  }
}

async function startSide(state: SideState, options: MeasureSidesOptions): Promise<void> {
  const { plan } = options;
  try {
    state.app = await startApp({
      label: state.target.label,
      appDir: state.target.appDir,
      startCommand: plan.startCommand,
      readyPath: plan.readyPath,
      readyTimeoutMs: plan.readyTimeoutMs,
      heapCapMb: plan.heapCapMb,
      rssLimitMb: plan.rssLimitMb,
      probePath: options.probePath,
      logPath: join(options.workDir, `${state.target.label}.log`),
      env: { ...options.appEnv, ...state.target.upstreams?.env },
      nodeBinDir: state.target.nodeBinDir,
      requestsSent: () => state.requestsSent,
      log: options.log,
    });
  } catch (error) {
    if (!(error instanceof LeakwatchError)) throw error;
    state.error = {
      code: error.code,
      message: error.message,
      hint: error.hint,
      logTail: typeof error.cause === 'string' ? error.cause : undefined,
    };
    options.log(`${state.target.label}: ${error.message}`);
  }
}

async function loadAndSample(
  state: SideState,
  requests: number,
  phase: MemorySample['phase'],
  options: MeasureSidesOptions,
): Promise<LoadStats | null> {
  const app = state.app;
  if (!app || !isRunning(state) || requests <= 0) return null;
  const stats = await sendLoad({
    url: app.url,
    requests,
    connections: options.plan.connections,
    nextRequest: state.nextRequest,
    ratePerSecond: options.plan.ratePerSecond ?? undefined,
  });
  state.requestsSent += stats.requests;
  state.loads.push(stats);
  await delay(options.quiesceMs ?? 50);
  await sample(state, phase);
  return stats;
}

async function sample(state: SideState, phase: MemorySample['phase']): Promise<void> {
  const app = state.app;
  if (!app || !isRunning(state)) return;
  try {
    const memory = await app.hub.sample();
    state.samples.push({
      ...memory,
      requestsSent: state.requestsSent,
      elapsedMs: Date.now() - app.startedAtMs,
      phase,
    });
  } catch (error) {
    // A process that dies mid-sample is reported through its exit (OOM, crash), not as a sampling failure.
    await delay(500);
    if (app.exit === null) throw error;
  }
}

function describeRound(states: SideState[]): string {
  return states
    .map((state) => {
      const last = state.samples.at(-1);
      if (state.app?.exit) return `${state.target.label} stopped (${state.app.exit.kind})`;
      if (!last) return `${state.target.label} not running`;
      return `${state.target.label} ${formatBytes(last.heapUsedBytes + last.externalBytes, { signed: false })}`;
    })
    .join(', ');
}

function toResult(state: SideState, thresholdBytesPerRequest: number): SideResult {
  const fits = fitMetrics(state.samples, thresholdBytesPerRequest);
  const exit = state.app?.exit ?? null;
  return {
    label: state.target.label,
    appDir: state.target.appDir,
    samples: state.samples,
    fits,
    verdict: state.error ? 'error' : sideVerdict(fits, exit),
    exit,
    load: summarizeLoads(state.loads),
    ...(state.app?.hub.nodeVersion ? { nodeVersion: state.app.hub.nodeVersion } : {}),
    ...(state.error ? { error: state.error } : {}),
    ...(state.network ? { network: state.network } : {}),
  };
}

function summarizeLoads(loads: LoadStats[]): LoadStats {
  const requests = loads.reduce((sum, load) => sum + load.requests, 0);
  const durationMs = loads.reduce((sum, load) => sum + load.durationMs, 0);
  // Percentiles are not additive: report the median round's p50 and the worst round's p99.
  return {
    requests,
    errors: loads.reduce((sum, load) => sum + load.errors, 0),
    non2xx: loads.reduce((sum, load) => sum + load.non2xx, 0),
    durationMs,
    requestsPerSecond: durationMs > 0 ? (requests / durationMs) * 1000 : 0,
    latencyP50Ms:
      loads.map((load) => load.latencyP50Ms).sort((a, b) => a - b)[Math.floor(loads.length / 2)] ?? 0,
    latencyP99Ms: Math.max(0, ...loads.map((load) => load.latencyP99Ms)),
  };
}
