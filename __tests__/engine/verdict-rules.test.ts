// Every verdict rule on its own, on hand-made fits: which comparisons it decides, with which numbers, and which
// it hands to the next rule. compareSides runs them in order.
import { describe, expect, it } from 'vitest';
import { bothDied, oneSideDied } from '../../src/analysis/deaths.js';
import {
  compareSides,
  sideCrashed,
  sideError,
  tooFewSamples,
  verdictRules,
} from '../../src/analysis/rules.js';
import {
  detectionLimit,
  heldByTimers,
  keptAfterSettling,
  leakAtBoth,
  slopeDifference,
  slopeImprovement,
  withinNoise,
} from '../../src/analysis/slope-rules.js';
import type { ComparisonInput } from '../../src/analysis/verdict-rule.js';
import type { MetricFit, SideResult } from '../../src/model/report.js';
import { VERDICT_RULE_IDS } from '../../src/model/verdict.js';

interface FitSpec {
  /** Steady slope and the half-width of its interval, bytes/request. */
  slope: number;
  halfWidth?: number;
  verdict?: MetricFit['verdict'];
  /** Settled growth per request and its uncertainty; null when settling was off. */
  retained?: number | null;
  retainedUncertainty?: number | null;
}

function side(label: 'base' | 'head', spec: FitSpec | null, extra: Partial<SideResult> = {}): SideResult {
  const halfWidth = spec?.halfWidth ?? 1;
  const steady = spec
    ? { slope: spec.slope, low: spec.slope - halfWidth, high: spec.slope + halfWidth, points: 10 }
    : null;
  return {
    label,
    appDir: '/app',
    samples: [],
    fits: [
      {
        metric: 'heapPlusExternal',
        whole: steady,
        early: steady,
        steady,
        retainedAfterSettle: spec?.retained ?? null,
        retainedAfterSettleUncertainty: spec?.retainedUncertainty ?? null,
        verdict: spec?.verdict ?? 'flat',
      },
    ],
    verdict: spec?.verdict ?? 'flat',
    exit: null,
    load: { requests: 1, durationMs: 1, requestsPerSecond: 1, latencyP50Ms: 1, latencyP99Ms: 1 },
    ...extra,
  };
}

function input(base: SideResult, head: SideResult, threshold = 8): ComparisonInput {
  return {
    base,
    head,
    thresholdBytesPerRequest: threshold,
    heapCapBytes: Number.POSITIVE_INFINITY,
    isFinal: true,
  };
}

const flat = { slope: 0, halfWidth: 2 };

describe('verdict rules', () => {
  it('run in the order model/verdict.ts lists their ids', () => {
    expect(verdictRules.map((rule) => rule.id)).toEqual(VERDICT_RULE_IDS);
  });

  it('side-error: a side that could not be measured is an error, with its code and message', () => {
    const error = { code: 'START_FAILED' as const, message: 'exited with code 1' };
    const decision = sideError.decide(input(side('base', flat), side('head', null, { error })));
    expect(decision).toEqual({
      verdict: 'error',
      finding: { rule: 'side-error', side: 'head', code: 'START_FAILED', message: 'exited with code 1' },
    });
    expect(sideError.decide(input(side('base', flat), side('head', flat)))).toBeNull();
  });

  it('side-crashed: a crash is an error with how and when', () => {
    const exit = { kind: 'crash' as const, code: null, signal: 'SIGSEGV', requestsSent: 42, logTail: '' };
    const decision = sideCrashed.decide(input(side('base', flat, { exit }), side('head', flat)));
    expect(decision?.verdict).toBe('error');
    expect(decision?.finding).toEqual({
      rule: 'side-crashed',
      side: 'base',
      code: null,
      signal: 'SIGSEGV',
      requestsSent: 42,
    });
    const oom = { kind: 'oom' as const, requestsSent: 42, elapsedMs: 1, logTail: '' };
    expect(sideCrashed.decide(input(side('base', flat, { exit: oom }), side('head', flat)))).toBeNull();
  });

  it('one-side-died and both-died: decide only when a side died, and attach both sides’ facts', () => {
    const oom = { kind: 'oom' as const, requestsSent: 1000, elapsedMs: 1, logTail: '' };
    const alive = input(side('base', flat), side('head', flat));
    expect(oneSideDied.decide(alive)).toBeNull();
    expect(bothDied.decide(alive)).toBeNull();
    const headDied = input(side('base', flat), side('head', flat, { exit: oom }));
    expect(oneSideDied.decide(headDied)).toEqual({
      verdict: 'regression',
      finding: { rule: 'one-side-died', died: 'head', isSurvivorClear: true },
    });
    expect(bothDied.decide(headDied)).toBeNull();
    const comparison = compareSides(headDied.base, headDied.head, 8);
    expect(comparison.deaths?.head.isDead).toBe(true);
    expect(comparison.deaths?.base.isDead).toBe(false);
    const both = input(side('base', flat, { exit: oom }), side('head', flat, { exit: oom }));
    expect(bothDied.decide(both)).toEqual({
      verdict: 'pre-existing',
      finding: { rule: 'both-died', isHeadWorse: false, isHeadBetter: false },
    });
  });

  it('too-few-samples: no steady slope on a side is an error', () => {
    expect(tooFewSamples.decide(input(side('base', flat), side('head', null)))?.verdict).toBe('error');
    expect(tooFewSamples.decide(input(side('base', flat), side('head', flat)))).toBeNull();
  });

  it('held-by-timers: growth under load that settling gave back is unchanged', () => {
    const base = side('base', { ...flat, retained: 0, retainedUncertainty: 10 });
    const head = side('head', { slope: 500, halfWidth: 20, retained: 5, retainedUncertainty: 10 });
    const decision = heldByTimers.decide(input(base, head));
    expect(decision?.verdict).toBe('unchanged');
    expect(decision?.finding).toMatchObject({
      rule: 'held-by-timers',
      deltaBytesPerRequest: 500,
      retainedDeltaBytesPerRequest: 5,
    });
    // Settling that cannot resolve a difference this size does not clear it: the next rule keeps it.
    const blurred = side('head', { slope: 500, halfWidth: 20, retained: 5, retainedUncertainty: 1000 });
    expect(heldByTimers.decide(input(base, blurred))).toBeNull();
    expect(keptAfterSettling.decide(input(base, blurred))?.verdict).toBe('regression');
    // Without settled samples the rule has nothing to say.
    expect(heldByTimers.decide(input(side('base', flat), side('head', { slope: 500 })))).toBeNull();
  });

  it('kept-after-settling: a difference settling kept, or one that settling alone shows, is a regression', () => {
    const base = side('base', { ...flat, retained: 0, retainedUncertainty: 10 });
    const kept = side('head', { slope: 500, halfWidth: 20, retained: 450, retainedUncertainty: 10 });
    expect(keptAfterSettling.decide(input(base, kept))?.finding).toMatchObject({
      rule: 'kept-after-settling',
      retainedDeltaBytesPerRequest: 450,
    });
    // Under-load noise hides the leak (40 ± 280 B/request), settling shows it: 300 ± 14 B/request kept.
    const noisyBase = side('base', { slope: 0, halfWidth: 200, retained: 0, retainedUncertainty: 10 });
    const noisyHead = side('head', { slope: 40, halfWidth: 200, retained: 300, retainedUncertainty: 10 });
    expect(keptAfterSettling.decide(input(noisyBase, noisyHead))?.verdict).toBe('regression');
    // The comparison then leads with the settled delta, not the 40 B/request under load.
    const compared = compareSides(noisyBase, noisyHead, 8);
    expect(compared.deltaBytesPerRequest).toBe(300);
    expect(compared.deltaUncertainty).toBeCloseTo(Math.hypot(10, 10));
    const same = side('head', { ...flat, retained: 2, retainedUncertainty: 10 });
    expect(keptAfterSettling.decide(input(base, same))).toBeNull();
  });

  it('slope-difference: without settling, a difference clear of the threshold and its interval is a regression', () => {
    const decision = slopeDifference.decide(
      input(side('base', flat), side('head', { slope: 100, halfWidth: 5 })),
    );
    expect(decision?.verdict).toBe('regression');
    expect(decision?.finding).toMatchObject({ rule: 'slope-difference', headSlopeBytesPerRequest: 100 });
    expect(slopeDifference.decide(input(side('base', flat), side('head', { slope: 6 })))).toBeNull();
    // Clear of the threshold but not of its own interval.
    expect(
      slopeDifference.decide(input(side('base', flat), side('head', { slope: 50, halfWidth: 60 }))),
    ).toBeNull();
    // Settled samples take the decision to the settling rules.
    const settledHead = side('head', { slope: 100, retained: 0, retainedUncertainty: 1 });
    expect(slopeDifference.decide(input(side('base', { ...flat, retained: 0 }), settledHead))).toBeNull();
  });

  it('slope-improvement: clearly less growth at head', () => {
    const decision = slopeImprovement.decide(input(side('base', { slope: 300 }), side('head', flat)));
    expect(decision).toMatchObject({ verdict: 'improvement', finding: { deltaBytesPerRequest: -300 } });
    expect(slopeImprovement.decide(input(side('base', flat), side('head', flat)))).toBeNull();
  });

  it('leak-at-both: both sides leak and head not clearly more', () => {
    const leak = { slope: 500, halfWidth: 10, verdict: 'leak' as const };
    expect(leakAtBoth.decide(input(side('base', leak), side('head', leak)))?.verdict).toBe('pre-existing');
    expect(leakAtBoth.decide(input(side('base', flat), side('head', leak)))).toBeNull();
  });

  it('detection-limit: +102 ± 583 B/request against an 8 B threshold is inconclusive, not a pass', () => {
    // The new-user trial's Next.js numbers: base -56 ± 414, head +46 ± 411 B/request.
    const trial = input(
      side('base', { slope: -56, halfWidth: 414 }),
      side('head', { slope: 46, halfWidth: 411 }),
    );
    const decision = detectionLimit.decide(trial);
    expect(decision?.verdict).toBe('inconclusive');
    expect(decision?.finding.rule).toBe('detection-limit');
    const detectable =
      decision?.finding.rule === 'detection-limit' ? decision.finding.detectableBytesPerRequest : 0;
    expect(detectable).toBeCloseTo(102 + 583.4, 0);
    expect(compareSides(trial.base, trial.head, 8).verdict).toBe('inconclusive');
    // The same run judged against a 128 B threshold can rule out leaks of a few thresholds: a pass.
    expect(compareSides(trial.base, trial.head, 128).verdict).toBe('unchanged');
    // Settled samples sharper than the slopes under load (timer-held memory swinging with throughput) set the
    // limit: 32 B + 10 B/request here, within eight thresholds.
    const sharp = { retained: 0, retainedUncertainty: 7 };
    const settled = input(
      side('base', { slope: -56, halfWidth: 414, ...sharp }),
      side('head', { slope: 46, halfWidth: 411, ...sharp }),
    );
    expect(detectionLimit.decide(settled)).toBeNull();
    expect(compareSides(settled.base, settled.head, 8).verdict).toBe('unchanged');
    // An interval reaching just under eight thresholds still passes.
    const narrow = input(
      side('base', { slope: 0, halfWidth: 40 }),
      side('head', { slope: 0, halfWidth: 40 }),
    );
    expect(detectionLimit.decide(narrow)).toBeNull();
  });

  it('detection-limit: a leak too small to fill the heap cap within a million requests still passes', () => {
    // The second new-user trial (an Express app calling a rerouted https API): +19 ± 60 B/request reaches past
    // eight thresholds (64 B) but not past 268 B, the leak that fills 256 MiB in a million requests.
    const cap = 256 * 1024 * 1024;
    const express = {
      ...input(side('base', { slope: 32, halfWidth: 49 }), side('head', { slope: 51, halfWidth: 35 })),
      heapCapBytes: cap,
    };
    expect(detectionLimit.decide(express)).toBeNull();
    expect(compareSides(express.base, express.head, 8, cap).verdict).toBe('unchanged');
    // The same interval under a 16 MiB cap (17 B/request fills it in a million) falls back to eight thresholds.
    const small = { ...express, heapCapBytes: 16 * 1024 * 1024 };
    expect(detectionLimit.decide(small)?.verdict).toBe('inconclusive');
    // The Next.js trial's ±583 stays inconclusive under the 256 MiB cap.
    const next = {
      ...input(side('base', { slope: -56, halfWidth: 414 }), side('head', { slope: 46, halfWidth: 411 })),
      heapCapBytes: cap,
    };
    expect(detectionLimit.decide(next)?.verdict).toBe('inconclusive');
  });

  it('within-noise: always decides once both slopes exist', () => {
    const decision = withinNoise.decide(input(side('base', flat), side('head', { slope: 2, halfWidth: 3 })));
    expect(decision).toMatchObject({
      verdict: 'unchanged',
      finding: { rule: 'within-noise', deltaBytesPerRequest: 2 },
    });
    expect(withinNoise.decide(input(side('base', flat), side('head', null)))).toBeNull();
  });
});
