// One side of a measurement (base, head or the one app): its running app, its samples and loads, and the
// steps every phase repeats: start, load then sample, sample, and the typed result.
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fitMetrics, metricValue, primaryFit, sideVerdict } from '../analysis/analysis.js';
import { type RunningApp, startApp } from '../app/app.js';
import type { RunningUpstreams } from '../app/upstream/start.js';
import { sendLoad } from '../load/load.js';
import { TrafficCounter } from '../load/traffic.js';
import type {
  HeapExplanation,
  LoadStats,
  MeasuredSide,
  MemorySample,
  MetricFit,
  RunPlan,
  SideNetwork,
  SideResult,
} from '../model/report.js';
import { formatBytes } from '../model/units.js';
import { createRequestSequence } from '../scenario/sequence.js';
import type { Scenario } from '../scenario/types.js';
import { LeakwatchError } from '../settings/errors.js';

export interface SideTarget {
  label: SideResult['label'];
  appDir: string;
  /** This side's stubs: their env goes to the app, their request counts into the report. */
  upstreams?: RunningUpstreams;
  /** This side's own Node.js (a runtime bump), put first on the app's PATH. */
  nodeBinDir?: string;
}

/** What every side of one measurement shares: the plan, where apps log, and the rate the load runs at. */
export interface MeasureRun {
  plan: RunPlan;
  scenario: Scenario;
  appEnv: Record<string, string>;
  probePath: string;
  workDir: string;
  quiesceMs?: number;
  /** Request rate of the loads (requests/s): the user's, or the one chosen for time-held memory. */
  ratePerSecond: number | undefined;
  log: (line: string) => void;
}

export interface SideState {
  target: SideTarget;
  app: RunningApp | null;
  samples: MemorySample[];
  loads: LoadStats[];
  requestsSent: number;
  nextRequest: ReturnType<typeof createRequestSequence>;
  traffic: TrafficCounter;
  /** Its answers failed beyond `maxFailedShare` (or differ from the other side's): it measures nothing more. */
  isTrafficFailing?: boolean;
  /** Stopped by leakwatch because the verdict no longer depends on it. */
  isRetired: boolean;
  /** Its heap snapshots, taken as soon as its growth was evident, with their analysis still running. */
  explanation?: Promise<HeapExplanation>;
  error?: SideResult['error'];
  network?: SideNetwork;
}

/** Past this share of its heap cap (or RSS limit) a side is sampled four times as often: deaths need points. */
const nearCapShare = 0.6;

export function newSide(target: SideTarget, run: Pick<MeasureRun, 'scenario' | 'plan'>): SideState {
  return {
    target,
    app: null,
    samples: [],
    loads: [],
    requestsSent: 0,
    nextRequest: createRequestSequence(run.scenario, run.plan.seed),
    traffic: new TrafficCounter(run.scenario.requests),
    isRetired: false,
  };
}

export const isRunning = (state: SideState) =>
  state.app !== null && state.app.exit === null && !state.isRetired && !state.error;

export async function startSide(
  state: SideState,
  run: MeasureRun,
  logName: string = state.target.label,
): Promise<void> {
  const { plan } = run;
  try {
    state.app = await startApp({
      label: state.target.label,
      appDir: state.target.appDir,
      startCommand: plan.startCommand,
      readyPath: plan.readyPath,
      readyTimeoutMs: plan.readyTimeoutMs,
      heapCapMb: plan.heapCapMb,
      rssLimitMb: plan.rssLimitMb,
      probePath: run.probePath,
      logPath: join(run.workDir, `${logName}.log`),
      env: { ...run.appEnv, ...state.target.upstreams?.env },
      nodeBinDir: state.target.nodeBinDir,
      requestsSent: () => state.traffic.answered,
      log: run.log,
    });
  } catch (error) {
    if (!(error instanceof LeakwatchError)) throw error;
    state.error = error.toReported();
    run.log(`${state.target.label}: ${error.message}`);
  }
}

/** Replaces a side's app with a fresh process, dropping everything measured so far: a retry starts clean. */
export async function restartSide(state: SideState, run: MeasureRun, logName: string): Promise<void> {
  await state.app?.stop();
  Object.assign(state, newSide(state.target, run), {
    explanation: undefined,
    error: undefined,
    isTrafficFailing: undefined,
  });
  await startSide(state, run, logName);
}

/** Stops a side the verdict no longer depends on; it keeps its samples and counts as survived. */
export async function retireSide(state: SideState, run: MeasureRun, why: string): Promise<void> {
  if (!isRunning(state)) return;
  state.isRetired = true;
  run.log(`${state.target.label}: stopping it, ${why}`);
  await state.app?.stop();
}

/** How full a side is: the larger of heap + external over the heap cap and RSS over the RSS limit. */
export function capShare(state: SideState, plan: RunPlan): number {
  const last = state.samples.at(-1);
  if (!last) return 0;
  const heap = metricValue.heapPlusExternal(last) / (plan.heapCapMb * 2 ** 20);
  return Math.max(heap, last.rssBytes / (plan.rssLimitMb * 2 ** 20));
}

/** Loads, then samples; near its cap a side gets its load in quarters, each sampled, so its death has points. */
export async function loadAndSample(
  state: SideState,
  requests: number,
  phase: MemorySample['phase'],
  run: MeasureRun,
): Promise<LoadStats | null> {
  const isNearCap = phase !== 'explain' && capShare(state, run.plan) >= nearCapShare && requests >= 8;
  if (!isNearCap) return loadOnce(state, requests, phase, run);
  let last: LoadStats | null = null;
  for (let part = 0; part < 4; part++) {
    const share = Math.round((requests * (part + 1)) / 4) - Math.round((requests * part) / 4);
    last = (await loadOnce(state, share, phase, run)) ?? last;
  }
  return last;
}

async function loadOnce(
  state: SideState,
  requests: number,
  phase: MemorySample['phase'],
  run: MeasureRun,
): Promise<LoadStats | null> {
  const app = state.app;
  if (!app || !isRunning(state) || requests <= 0) return null;
  const stats = await sendLoad({
    url: app.url,
    requests,
    connections: run.plan.connections,
    nextRequest: state.nextRequest,
    traffic: state.traffic,
    ratePerSecond: run.ratePerSecond,
  });
  state.requestsSent += stats.requests;
  state.loads.push(stats);
  await delay(run.quiesceMs ?? 50);
  await sample(state, phase);
  return stats;
}

export async function sample(state: SideState, phase: MemorySample['phase']): Promise<void> {
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
    if (app.exit === null && !state.isRetired) throw error;
  }
}

export function describeRound(states: SideState[]): string {
  return states
    .map((state) => {
      const last = state.samples.at(-1);
      if (state.app?.exit) return `${state.target.label} stopped (${state.app.exit.kind})`;
      if (state.isRetired) return `${state.target.label} stopped (not needed)`;
      if (!last) return `${state.target.label} not running`;
      return `${state.target.label} ${formatBytes(metricValue.heapPlusExternal(last), { signed: false })}`;
    })
    .join(', ');
}

export function toResult(state: SideState, thresholdBytesPerRequest: number): MeasuredSide {
  const fits = fitMetrics(state.samples, thresholdBytesPerRequest);
  const exit = state.app?.exit ?? null;
  return {
    label: state.target.label,
    appDir: state.target.appDir,
    samples: state.samples,
    fits,
    verdict: state.error ? 'error' : (retiredVerdict(state, fits) ?? sideVerdict(fits, exit)),
    exit,
    load: summarizeLoads(state.loads),
    ...(state.app ? { traffic: state.traffic.counts() } : {}),
    ...(state.error ? { error: state.error } : {}),
    ...(state.network ? { network: state.network } : {}),
    ...(state.app?.hub.nodeVersion ? { nodeVersion: state.app.hub.nodeVersion } : {}),
  };
}

/**
 * A side stopped once the verdict no longer needed it may have too few rounds to fit: it was retired for not
 * nearing its cap, so it counts as flat unless its fits say more.
 */
function retiredVerdict(state: SideState, fits: MetricFit[]): SideResult['verdict'] | null {
  if (!state.isRetired) return null;
  return primaryFit({ fits })?.verdict ?? 'flat';
}

function summarizeLoads(loads: LoadStats[]): LoadStats {
  const requests = loads.reduce((sum, load) => sum + load.requests, 0);
  const durationMs = loads.reduce((sum, load) => sum + load.durationMs, 0);
  // Percentiles are not additive: report the median round's p50 and the worst round's p99.
  return {
    requests,
    durationMs,
    requestsPerSecond: durationMs > 0 ? (requests / durationMs) * 1000 : 0,
    latencyP50Ms:
      loads.map((load) => load.latencyP50Ms).sort((a, b) => a - b)[Math.floor(loads.length / 2)] ?? 0,
    latencyP99Ms: Math.max(0, ...loads.map((load) => load.latencyP99Ms)),
  };
}
