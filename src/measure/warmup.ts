// Warm-up: measures throughput on the first requests to size the run to its time budget, adapts the load when
// a side grows fast enough to reach its cap (time-held memory gets a rate it can live with), then warms the
// sides up in chunks, every side loaded at once and sampled, until their heaps stop drifting (drift.ts), so a
// side that dies on the way leaves points to fit. When every side dies before memory could be watched, they
// are restarted once with a smaller probe, and the watch decides.
import { metricValue } from '../analysis/analysis.js';
import { isDeath } from '../analysis/deaths.js';
import { chooseRate, wouldReachCap } from '../analysis/time-held.js';
import { fitScheduleToBudget, throughputProbeRequests } from '../load/schedule.js';
import type { RunSchedule } from '../model/report.js';
import { type DriftJudgement, type DriftPoint, judgeDrift } from './drift.js';
import { type ExplainContext, explainIfEvident } from './explain-sides.js';
import { watchHold } from './idle.js';
import { isRunning, loadAndSample, type MeasureRun, restartSide, type SideState, sample } from './side.js';
import { retireSurvivor } from './verdict-now.js';

const warmupChunks = 10;

/** A side's warm-up samples from the end of the throughput probe on: the points its drift is judged on. */
function driftPoints(state: SideState, firstRequests: number): DriftPoint[] {
  return state.samples
    .filter((sample) => sample.phase === 'warmup' && sample.requestsSent >= firstRequests)
    .map((sample) => ({ requests: sample.requestsSent, bytes: metricValue.heapPlusExternal(sample) }));
}

export interface WarmedUp {
  schedule: RunSchedule;
  /** The hold watch left every side idle until memory came back: that watch was their first settle. */
  isSettled: boolean;
}

export async function warmUp(
  states: SideState[],
  run: MeasureRun,
  explain: Omit<ExplainContext, 'schedule'>,
): Promise<WarmedUp> {
  const probe = Math.min(run.plan.warmupRequests, throughputProbeRequests);
  const warmed = await warmUpOnce(states, run, explain, probe);
  const retryProbe = slowerRetryProbe(states, run, warmed);
  if (retryProbe === null) return warmed;
  const labels = states.map((state) => state.target.label).join(' and ');
  run.log(
    `${labels} died within ${Math.min(...states.map(requestsAtDeath))} requests, before leakwatch could see ` +
      `whether memory comes back: restarting them to probe with ${retryProbe} requests, then adapt the rate`,
  );
  await Promise.all(states.map((state) => restartSide(state, run, `${state.target.label}-slower`)));
  return warmUpOnce(states, run, explain, retryProbe);
}

const requestsAtDeath = (state: SideState) => state.app?.exit?.requestsSent ?? state.requestsSent;

/**
 * Every side dying in warm-up at full speed before a hold watch could run is first a reason to slow down (time-
 * held memory kills at full speed what a few requests/s keep alive): a third of the fewest requests a side
 * survived is a probe both live through, which the watch can then follow. Null when that is not the case, or
 * the user's rate decides the speed.
 */
function slowerRetryProbe(states: SideState[], run: MeasureRun, warmed: WarmedUp): number | null {
  if (warmed.isSettled || run.plan.ratePerSecond !== null || states.length === 0) return null;
  if (!states.every((state) => isDeath(state.app?.exit ?? null))) return null;
  return Math.max(minRetryProbe, Math.floor(Math.min(...states.map(requestsAtDeath)) / 3));
}

/** Fewer requests than this give the watch too little growth to tell from noise. */
const minRetryProbe = 4;

/** Warm-up from a probe of `firstRequests` at full speed (see warmUp): its schedule and whether a watch ran. */
async function warmUpOnce(
  states: SideState[],
  run: MeasureRun,
  explain: Omit<ExplainContext, 'schedule'>,
  firstRequests: number,
): Promise<WarmedUp> {
  const { plan, log } = run;
  const measured = await probeThroughput(states, run, firstRequests);
  let schedule = fitScheduleToBudget(plan, measured);
  const adapted = await adaptToTimeHeld(states, run, schedule, firstRequests, measured);
  if (adapted) schedule = adapted.schedule;
  if (schedule.isShrunkToBudget) {
    log(
      `the app serves about ${schedule.warmupRequestsPerSecond} requests/s: sized to the ${plan.timeBudgetMs / 1000} s budget per side, ` +
        `${schedule.warmupRequests} warm-up requests and ${schedule.roundsPlanned} rounds of ${schedule.requestsPerRound}`,
    );
  }
  // A side that failed to start or died in the first requests is not warmed up; when none is left, nothing is.
  const running = states.filter(isRunning);
  if (running.length === 0) return { schedule, isSettled: adapted !== null };
  log(
    `warming up ${running.map((state) => state.target.label).join(' and ')}: ${schedule.warmupRequests} requests each`,
  );
  const isTimeHeld = schedule.timeHeld !== undefined;
  await warmUntilStable(states, run, { ...explain, schedule }, firstRequests, isTimeHeld);
  return { schedule, isSettled: adapted !== null };
}

/**
 * Warm-up in chunks (a tenth of the fitted warm-up each, every side at once) until every running side's post-GC
 * heap has stopped drifting within its own noise (drift.ts), judged from the third chunk on. A side still rising
 * at the fitted size keeps warming (a JIT, a TLS stack or a cache still filling reads as a leak, or as a
 * difference between two identical sides), up to the whole planned load in requests and the time budget in load
 * time; a time-held run keeps its fitted size as the ceiling, since its rate was chosen for it. Sets the
 * schedule's `warmupRequests` to what ran.
 */
async function warmUntilStable(
  states: SideState[],
  run: MeasureRun,
  context: ExplainContext,
  firstRequests: number,
  isTimeHeld: boolean,
): Promise<void> {
  const { schedule } = context;
  const fitted = schedule.warmupRequests;
  const rest = Math.max(0, fitted - firstRequests);
  if (rest === 0) return;
  const chunk = Math.ceil(rest / warmupChunks);
  const roundsRequests = schedule.roundsPlanned * schedule.requestsPerRound;
  const ceiling = isTimeHeld ? fitted : fitted + roundsRequests;
  const tolerance = run.plan.thresholdBytesPerRequest;
  const loadMs = new Map<SideState, number>();
  let sent = firstRequests;
  let judged: DriftJudgement[] = [];
  while (sent < ceiling && states.some(isRunning)) {
    const requests = Math.min(chunk, ceiling - sent);
    await Promise.all(
      states.map(async (state) => {
        const startedAt = Date.now();
        await loadAndSample(state, requests, 'warmup', run);
        loadMs.set(state, (loadMs.get(state) ?? 0) + Date.now() - startedAt);
        await explainIfEvident(state, context);
      }),
    );
    sent += requests;
    await retireSurvivor(states, run);
    judged = states
      .filter(isRunning)
      .map((state) => judgeDrift(driftPoints(state, firstRequests), tolerance, roundsRequests));
    if (judged.every((judgement) => judgement.isWarm)) break;
    if (Math.max(...loadMs.values()) >= run.plan.timeBudgetMs) break;
  }
  schedule.warmupRequests = sent;
  run.log(warmEndLine(sent, fitted, judged));
}

/** What ended the warm-up, with the numbers the rule used, for the log. */
function warmEndLine(sent: number, planned: number, judged: DriftJudgement[]): string {
  const kb = (bytes: number | null) => (bytes === null ? '?' : `${Math.round(bytes / 1024)} KB`);
  const numbers = judged
    .map((j) => `moved ${kb(j.driftBytes)} over ${j.windowRequests ?? '?'} requests, band ${kb(j.bandBytes)}`)
    .join('; ');
  const isWarm = judged.length > 0 && judged.every((judgement) => judgement.isWarm);
  return isWarm
    ? `warmed up after ${sent} requests per side: the heap stopped drifting within its own noise (${numbers})`
    : `warm-up ended at its ceiling after ${sent} requests per side (${planned} fitted), the heap still drifting (${numbers})`;
}

/**
 * The first requests, in two sampled halves per side, every side at once as the rest of the run loads them: the
 * throughput (requests/s) the slowest side served.
 */
async function probeThroughput(states: SideState[], run: MeasureRun, requests: number): Promise<number> {
  const probeOne = async (state: SideState): Promise<number | null> => {
    // A sample before any load: the baseline that time-held memory comes back to, and its timers.
    await sample(state, 'warmup');
    const half = Math.ceil(requests / 2);
    const first = await loadAndSample(state, half, 'warmup', run);
    const second = await loadAndSample(state, requests - half, 'warmup', run);
    const stats = [first, second].filter((load) => load !== null);
    const durationMs = stats.reduce((sum, load) => sum + load.durationMs, 0);
    const sent = stats.reduce((sum, load) => sum + load.requests, 0);
    return durationMs > 0 ? (sent / durationMs) * 1000 : null;
  };
  const rates = (await Promise.all(states.map(probeOne))).filter((rate) => rate !== null);
  return rates.length > 0 ? Math.min(...rates) : Number.POSITIVE_INFINITY;
}

/**
 * When a side would reach its heap cap within the planned requests, or died already: pause, watch whether the
 * memory comes back while idle, and if it does, run the rest at a rate whose time-held memory stays at 40 % of
 * the cap (the user's `rate` wins). Null when nothing was watched.
 */
async function adaptToTimeHeld(
  states: SideState[],
  run: MeasureRun,
  schedule: RunSchedule,
  sentRequests: number,
  measuredRate: number,
): Promise<{ schedule: RunSchedule } | null> {
  const { plan, log } = run;
  const capBytes = plan.heapCapMb * 2 ** 20;
  const remaining =
    schedule.warmupRequests + schedule.roundsPlanned * schedule.requestsPerRound - sentRequests;
  const isSuspect = (state: SideState) =>
    (isRunning(state) && wouldReachCap(state.samples, remaining, capBytes)) ||
    isDeath(state.app?.exit ?? null);
  const watched = states.filter(isRunning);
  if (!states.some(isSuspect) || watched.length === 0) return null;
  const found = await watchHold(watched, run);
  if (!found) return { schedule };
  // Whole requests per second: what the load generator can pace.
  const chosen = Math.max(
    1,
    Math.floor(Math.min(chooseRate(capBytes, found.holdMs, found.heldBytesPerRequest), measuredRate)),
  );
  const rate = plan.ratePerSecond ?? chosen;
  run.ratePerSecond = rate;
  const adapted = fitScheduleToBudget({ ...plan, ratePerSecond: rate }, measuredRate);
  adapted.timeHeld = {
    holdMs: found.holdMs,
    heldBytesPerRequest: found.heldBytesPerRequest,
    ratePerSecond: rate,
    rateSource: plan.ratePerSecond ? 'user' : 'adaptive',
  };
  log(
    `time-held memory detected: ~${Math.round(found.holdMs / 1000)} s at ${Math.round(found.heldBytesPerRequest / 1024)} KB/request; ` +
      `measuring at ${rate} requests/s${plan.ratePerSecond ? ' (your rate)' : ''}`,
  );
  return { schedule: adapted };
}
