// Idle phases: settling until memory stops falling, and watching memory that a fast-growing side gives back
// (time-held memory, like a data cache's 60 s expiry) to learn how long it is held.
import { setTimeout as delay } from 'node:timers/promises';
import { type HoldJudgement, isSettled, judgeHold } from '../analysis/time-held.js';
import type { MemorySample } from '../model/report.js';
import { isRunning, type MeasureRun, type SideState, sample } from './side.js';

/** Let in-flight responses finish and sockets close before the first settle sample. */
export const settleFloorMs = 1000;
const settleIntervalMs = 1000;
/** Watch samples force a full GC: every few seconds is enough to time a drop that takes up to minutes. */
const watchIntervalMs = 2000;
/** The longest hold leakwatch waits for; longer holds are not told apart from leaks. */
export const holdCapMs = 120_000;

const timersOf = (sample: MemorySample | undefined) => sample?.activeResources.Timeout ?? 0;

/** Timers pending before any load: what settling waits to get back to. */
function timersAtStart(state: SideState): number {
  return Math.min(...state.samples.filter((s) => s.requestsSent === 0).map(timersOf), Infinity);
}

/**
 * Idles every running side until memory has stopped falling (two agreeing samples, and the load's timers
 * fired), at least `minMs` and at most `maxMs`; the last sample of each is the settled one.
 */
export async function settle(
  states: SideState[],
  run: MeasureRun,
  bounds: { minMs: number; maxMs: number },
): Promise<void> {
  const running = states.filter(isRunning);
  if (bounds.maxMs <= 0 || running.length === 0) return;
  const startedAt = Date.now();
  const maxMs = Math.max(bounds.maxMs, bounds.minMs);
  run.log(`settling: until memory stops falling (at most ${Math.round(maxMs / 1000)} s)`);
  await delay(Math.min(Math.max(bounds.minMs, settleFloorMs), maxMs));
  await Promise.all(
    running.map(async (state) => {
      const idle: MemorySample[] = [];
      const timersBefore = Number.isFinite(timersAtStart(state)) ? timersAtStart(state) : 0;
      for (;;) {
        await sample(state, 'idle');
        const last = state.samples.at(-1);
        if (last?.phase === 'idle') idle.push(last);
        const isOver = Date.now() - startedAt + settleIntervalMs > maxMs;
        if (!isRunning(state) || isSettled(idle, timersBefore) || isOver) break;
        await delay(settleIntervalMs);
      }
      // The settled sample is the last one taken; earlier idle samples stay as they are.
      const last = state.samples.at(-1);
      if (last?.phase === 'idle') last.phase = 'settle';
    }),
  );
  run.log(`settled after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

export interface HoldFound {
  holdMs: number;
  heldBytesPerRequest: number;
}

/**
 * Pauses the load and samples the given sides every few seconds until each has given back what its last load
 * added (time-held), or shows it will not. Returns the longest hold and the largest held bytes per request,
 * or null when nothing came back. The last sample of each side is a settled one: memory has drained.
 */
export async function watchHold(states: SideState[], run: MeasureRun): Promise<HoldFound | null> {
  run.log(
    `${states.map((state) => state.target.label).join(' and ')} grow fast: pausing the load to see whether memory comes back while idle`,
  );
  const judgements = await Promise.all(states.map((state) => watchOne(state)));
  const held = judgements.filter((judgement) => judgement.status === 'held');
  for (const state of states) {
    const last = state.samples.at(-1);
    if (last?.phase === 'idle') last.phase = 'settle';
  }
  if (held.length === 0) {
    run.log('memory did not come back while idle: not time-held');
    return null;
  }
  return {
    holdMs: Math.max(...held.map((judgement) => judgement.holdMs)),
    heldBytesPerRequest: Math.max(...held.map((judgement) => judgement.heldBytesPerRequest)),
  };
}

async function watchOne(state: SideState): Promise<Extract<HoldJudgement, { status: 'held' | 'not-held' }>> {
  const [before, peak] = [state.samples.at(-3), state.samples.at(-1)];
  const app = state.app;
  // The probe load came in two chunks: the sample before the first one is the baseline.
  const baseline = state.samples.find((s) => s.requestsSent === 0) ?? before;
  if (!app || !baseline || !peak) return { status: 'not-held' };
  const loadEndedAtMs = peak.elapsedMs;
  const idle: MemorySample[] = [];
  for (;;) {
    await delay(watchIntervalMs);
    await sample(state, 'idle');
    const last = state.samples.at(-1);
    if (!isRunning(state) || !last || last.phase !== 'idle') return { status: 'not-held' };
    idle.push(last);
    const judgement = judgeHold({ before: baseline, peak, idle, loadEndedAtMs, holdCapMs });
    if (judgement.status !== 'watching') return judgement;
  }
}
