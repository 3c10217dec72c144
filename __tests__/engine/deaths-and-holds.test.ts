// The pure rules behind deaths and time-held memory, on hand-made samples.
import { describe, expect, it } from 'vitest';
import { bothDied, oneSideDied } from '../../src/analysis/deaths.js';
import { chooseRate, isSettled, judgeHold, wouldReachCap } from '../../src/analysis/time-held.js';
import type { AppExit, MemorySample, SideResult } from '../../src/model/report.js';

const MB = 2 ** 20;

function sample(requestsSent: number, heapBytes: number, extra: Partial<MemorySample> = {}): MemorySample {
  return {
    requestsSent,
    requestsSeen: requestsSent,
    elapsedMs: requestsSent,
    phase: 'warmup',
    heapUsedBytes: heapBytes,
    externalBytes: 0,
    arrayBuffersBytes: 0,
    rssBytes: heapBytes * 2,
    v8UsedHeapBytes: heapBytes,
    activeResources: {},
    openFds: 20,
    processCount: 1,
    ...extra,
  };
}

/** A side growing `bytesPerRequest` from 5 MB, sampled every 100 requests, dead at `diesAt` (or alive). */
function side(
  label: 'base' | 'head',
  bytesPerRequest: number,
  diesAt: number | null,
  until = diesAt ?? 3000,
) {
  const samples = Array.from({ length: Math.floor(until / 100) }, (_, i) =>
    sample(i * 100, 5 * MB + i * 100 * bytesPerRequest),
  );
  const exit: AppExit | null =
    diesAt === null ? null : { kind: 'oom', requestsSent: diesAt, elapsedMs: diesAt, logTail: '' };
  const result: SideResult = {
    label,
    appDir: '/app',
    samples,
    fits: [],
    verdict: exit ? 'crashed' : 'flat',
    exit,
    load: {
      requests: 0,
      durationMs: 1,
      requestsPerSecond: 1,
      latencyP50Ms: 0,
      latencyP99Ms: 0,
    },
  };
  return result;
}

/** The two death rules in their order: null when neither applies (nobody died). */
function compareDeaths(base: SideResult, head: SideResult, heapCapBytes: number, isFinal = true) {
  const input = { base, head, heapCapBytes, isFinal, thresholdBytesPerRequest: 8 };
  return oneSideDied.decide(input) ?? bothDied.decide(input);
}

describe('the death rules', () => {
  const cap = 64 * MB;
  it('calls a head death a regression when base sits above half a small cap but hardly grows', () => {
    // Base's own 5 MB baseline fills more than half of an 8 MB cap; at 58 B/request it would need ~50,000 more.
    const small = 8 * MB;
    const verdict = compareDeaths(side('base', 58, null, 6000), side('head', 4600, 1400), small);
    expect(verdict?.verdict).toBe('regression');
    // A base that grows toward the same cap is not clearly alive.
    expect(compareDeaths(side('base', 400, null, 6000), side('head', 4600, 1400), small)?.verdict).toBe(
      'inconclusive',
    );
  });

  it('is not its business when nobody died', () => {
    expect(compareDeaths(side('base', 0, null), side('head', 0, null), cap)).toBeNull();
  });

  it('calls the same death at both sides pre-existing, and head dying clearly sooner a regression', () => {
    expect(compareDeaths(side('base', 20_000, 3000), side('head', 20_000, 2900), cap)?.verdict).toBe(
      'pre-existing',
    );
    expect(compareDeaths(side('base', 20_000, 3000), side('head', 60_000, 1000), cap)?.verdict).toBe(
      'regression',
    );
  });

  it('calls head dying where a base that served a third more stayed low a regression', () => {
    expect(compareDeaths(side('base', 0, null, 3000), side('head', 60_000, 1000), cap)?.verdict).toBe(
      'regression',
    );
  });

  it('calls a survivor that ended its run below half its cap alive, but stops it mid-run only past a third more', () => {
    const [base, head] = [side('base', 5_000, null, 900), side('head', 60_000, 1000)];
    expect(compareDeaths(base, head, cap)?.verdict).toBe('regression');
    expect(compareDeaths(base, head, cap, false)?.verdict).toBe('inconclusive');
  });

  it('stops a survivor above half a small cap mid-run only once it served a third more, hardly growing', () => {
    // The mid-run stop (isFinal false) asks the same "far from its cap" question: base's 5 MB baseline fills
    // more than half of an 8 MB cap, but at 58 B/request the rest would take ~50,000 more requests.
    const small = 8 * MB;
    const head = side('head', 4600, 1400);
    expect(compareDeaths(side('base', 58, null, 2000), head, small, false)?.verdict).toBe('regression');
    // Not yet a third more than head's 1,400: base may still be needed.
    expect(compareDeaths(side('base', 58, null, 1700), head, small, false)?.verdict).toBe('inconclusive');
    // At 1,200 B/request the rest of the cap (~0.7 MB) lasts ~600 requests, fewer than the 1,900 it served:
    // heading for a death of its own. At 400 B/request the rest lasts ~5,900 more: clearly alive.
    expect(compareDeaths(side('base', 1200, null, 2000), head, small, false)?.verdict).toBe('inconclusive');
    expect(compareDeaths(side('base', 400, null, 2000), head, small, false)?.verdict).toBe('regression');
  });

  it('is inconclusive when the survivor was heading for its cap too, or the signals disagree', () => {
    // Base served only a little more and was past half its cap: it might have died next.
    expect(compareDeaths(side('base', 40_000, null, 1100), side('head', 20_000, 1000), cap)?.verdict).toBe(
      'inconclusive',
    );
    // Head died sooner but grew much slower: something else killed it.
    expect(compareDeaths(side('base', 40_000, 3000), side('head', 10_000, 1000), cap)?.verdict).toBe(
      'inconclusive',
    );
  });
});

describe('time-held memory', () => {
  const before = sample(0, 10 * MB, { activeResources: { Timeout: 1 } });
  const peak = sample(200, 70 * MB, { activeResources: { Timeout: 201 }, elapsedMs: 1000 });
  const idle = (elapsedMs: number, bytes: number, timers: number) =>
    sample(200, bytes, { elapsedMs, phase: 'idle', activeResources: { Timeout: timers } });

  it('watches while timers are pending, and times the hold by when the drop stopped', () => {
    const input = { before, peak, loadEndedAtMs: 1000, holdCapMs: 120_000 };
    expect(judgeHold({ ...input, idle: [idle(3000, 70 * MB, 201), idle(5000, 70 * MB, 201)] }).status).toBe(
      'watching',
    );
    const held = judgeHold({
      ...input,
      idle: [idle(59_000, 70 * MB, 201), idle(61_000, 10.1 * MB, 1), idle(63_000, 10.1 * MB, 1)],
    });
    expect(held).toMatchObject({ status: 'held', holdMs: 60_000 });
    if (held.status === 'held') expect(held.heldBytesPerRequest).toBeCloseTo((59.9 * MB) / 200, -3);
  });

  it('gives up when nothing comes back and no timers are pending, or at the hold cap', () => {
    const input = {
      before,
      peak: sample(200, 70 * MB, { elapsedMs: 1000 }),
      loadEndedAtMs: 1000,
      holdCapMs: 120_000,
    };
    const none = { ...before, activeResources: {} };
    expect(
      judgeHold({ ...input, before: none, idle: [idle(3000, 70 * MB, 0), idle(5000, 70 * MB, 0)] }).status,
    ).toBe('not-held');
    expect(judgeHold({ ...input, idle: [idle(121_000, 70 * MB, 201)] }).status).toBe('not-held');
  });

  it('chooses a rate whose time-held memory fills 40 % of the cap, and projects a cap from the slope', () => {
    const rate = chooseRate(256 * MB, 62_000, 300_000);
    expect(rate * 62 * 300_000).toBeCloseTo(0.4 * 256 * MB, -3);
    expect(wouldReachCap([sample(100, 10 * MB), sample(200, 40 * MB)], 1000, 256 * MB)).toBe(true);
    expect(wouldReachCap([sample(100, 10 * MB), sample(200, 10.1 * MB)], 15_000, 256 * MB)).toBe(false);
  });

  it('settles once three samples agree and the load timers have fired', () => {
    const still = (timers: number) => [
      idle(1000, 20 * MB, timers),
      idle(2000, 20 * MB, timers),
      idle(3000, 20.05 * MB, timers),
    ];
    expect(isSettled(still(50), 1)).toBe(false);
    expect(isSettled([idle(1000, 24 * MB, 1), idle(2000, 20 * MB, 1), idle(3000, 20 * MB, 1)], 1)).toBe(
      false,
    );
    expect(isSettled(still(2).slice(1), 1)).toBe(false);
    expect(isSettled(still(2), 1)).toBe(true);
  });
});
