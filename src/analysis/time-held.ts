// Pure judgements on idle samples: when memory has stopped falling (settling), whether memory that grew under
// load was held by timers and for how long, and the request rate at which such memory stays well below the cap.
import type { MemorySample } from '../model/report.js';
import { metricValue } from './analysis.js';

/**
 * Two post-GC samples of an idle heap differ by 8–11 KB (sd), and code caches the collector keeps or drops swing
 * by up to a few hundred KB on large heaps: samples within this (or 0.2 % of the heap) agree.
 */
const idleNoiseBytes = 128 * 1024;
/** Settling is judged on a still heap: six times the idle samples' standard deviation. */
const settleNoiseBytes = 64 * 1024;
/** Memory that came back counts as time-held from this share of what the load added (or 1 MB) on. */
const givenBackShare = 0.2;
const givenBackMinBytes = 2 ** 20;
/** Per-request timers still pending: more than this many per request sent keeps a watch going. */
const pendingTimersPerRequest = 0.1;
/** The time-held part may fill this share of the heap cap at the chosen rate. */
export const timeHeldCapShare = 0.4;

const bytesOf = metricValue.heapPlusExternal;
const timersOf = (sample: MemorySample) => sample.activeResources.Timeout ?? 0;

export function agreeWithinNoise(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(idleNoiseBytes, 0.002 * Math.max(a, b));
}

/**
 * Settled: the last three idle samples (two seconds) agree within a few times the idle noise, and the timers
 * the load left have fired (no more of them than before the load, within a few), since memory they hold only
 * comes back when they fire.
 */
export function isSettled(idle: readonly MemorySample[], timersBefore: number): boolean {
  const [first, previous, last] = [idle.at(-3), idle.at(-2), idle.at(-1)];
  if (!first || !previous || !last) return false;
  const values = [first, previous, last].map(bytesOf);
  const isStill = Math.max(...values) - Math.min(...values) <= settleNoiseBytes;
  return isStill && timersOf(last) <= timersBefore + 2;
}

export interface HoldWatchInput {
  /** The sample before the load that the watch follows. */
  before: MemorySample;
  /** The sample right after that load. */
  peak: MemorySample;
  /** Idle samples since, oldest first. */
  idle: readonly MemorySample[];
  /** When the load ended, in the samples' clock (ms since the app started). */
  loadEndedAtMs: number;
  holdCapMs: number;
}

export type HoldJudgement =
  | { status: 'watching' }
  | { status: 'held'; holdMs: number; heldBytesPerRequest: number }
  | { status: 'not-held' };

/**
 * Memory the load added that comes back while idle is time-held; it was held until the drop stopped (the first
 * of two agreeing samples after it). Nothing comes back once no extra timers are pending (nothing left to fire),
 * or once the hold cap has passed.
 */
export function judgeHold(input: HoldWatchInput): HoldJudgement {
  const { before, peak, idle } = input;
  const last = idle.at(-1);
  const previous = idle.at(-2);
  if (!last) return { status: 'watching' };
  const requests = peak.requestsSent - before.requestsSent;
  const grown = bytesOf(peak) - bytesOf(before);
  const givenBack = bytesOf(peak) - bytesOf(last);
  const isGivenBack = givenBack >= Math.max(givenBackMinBytes, givenBackShare * grown);
  const timersPending = timersOf(last) - timersOf(before) > pendingTimersPerRequest * requests;
  const isStill = previous !== undefined && agreeWithinNoise(bytesOf(previous), bytesOf(last));
  if (isGivenBack && isStill && !timersPending && previous) {
    return {
      status: 'held',
      holdMs: Math.max(0, previous.elapsedMs - input.loadEndedAtMs),
      heldBytesPerRequest: requests > 0 ? (bytesOf(peak) - bytesOf(last)) / requests : 0,
    };
  }
  if (last.elapsedMs - input.loadEndedAtMs >= input.holdCapMs) return { status: 'not-held' };
  if (!isGivenBack && !timersPending && idle.length >= 2) return { status: 'not-held' };
  return { status: 'watching' };
}

/** The rate at which rate × hold × bytes per request stays at `timeHeldCapShare` of the heap cap. */
export function chooseRate(heapCapBytes: number, holdMs: number, heldBytesPerRequest: number): number {
  const held = (Math.max(holdMs, 1000) / 1000) * Math.max(heldBytesPerRequest, 1);
  return (timeHeldCapShare * heapCapBytes) / held;
}

/**
 * A side growing so fast that the rest of its planned requests would take it past its heap cap: the slope of
 * its last load, projected.
 */
export function wouldReachCap(
  samples: readonly MemorySample[],
  remainingRequests: number,
  heapCapBytes: number,
): boolean {
  const [previous, last] = [samples.at(-2), samples.at(-1)];
  if (!previous || !last || last.requestsSent <= previous.requestsSent) return false;
  const slope = (bytesOf(last) - bytesOf(previous)) / (last.requestsSent - previous.requestsSent);
  return bytesOf(last) + slope * remainingRequests > heapCapBytes;
}
