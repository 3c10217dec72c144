// The rules that compare the two sides' slopes once both survived with enough samples: settled memory first
// (it can clear timer-held growth or show a leak that under-load noise hides), then the slopes under load.
import type { SettleNumbers, SlopeNumbers } from '../model/verdict.js';
import {
  isDecelerating,
  primaryFit,
  sideLeakFactor,
  survivesSettle,
  survivingShareOfLeak,
} from './analysis.js';
import { type ComparisonInput, isClear, slopeNumbers, type VerdictRule } from './verdict-rule.js';

/**
 * A pass whose interval reaches this many thresholds above zero could not have seen a leak of a few thresholds:
 * it is inconclusive rather than a pass (a false pass is the one result leakwatch must never give).
 */
export const detectionLimitFactor = 8;

/**
 * Leaks a run cannot rule out still pass when they are too small to matter: a leak that takes more than this many
 * requests to fill the heap cap (268 B/request under 256 MiB). Without it, an ordinary Express app's ±60 B/request
 * read inconclusive in about half its null runs at the 8 B threshold, and a gate that fails at random is switched off.
 */
const requestsToFillCapThatMatter = 1_000_000;

/** The detectable leak above which a pass would be a guess. */
function inconclusiveAbove(input: ComparisonInput): number {
  const byThreshold = detectionLimitFactor * input.thresholdBytesPerRequest;
  const byCap = Number.isFinite(input.heapCapBytes) ? input.heapCapBytes / requestsToFillCapThatMatter : 0;
  return Math.max(byThreshold, byCap);
}

interface Settled {
  numbers: SlopeNumbers & SettleNumbers;
  /** Under load, head's growth is larger than settling can resolve. */
  isResolvedBySettling: boolean;
  /** Settling kept the difference (it was not given back). */
  isKept: boolean;
  /** Without a clear difference under load, the settled difference alone shows a leak. */
  isClearAfterSettle: boolean;
  /** The smallest leak settling alone would have shown: its bar plus its own uncertainty. */
  detectableBytesPerRequest: number;
}

/** The settled evidence; null when a side has no settled growth (settling off, or stopped early). */
function settledEvidence(input: ComparisonInput): Settled | null {
  const numbers = slopeNumbers(input);
  const [baseFit, headFit] = [primaryFit(input.base), primaryFit(input.head)];
  if (!numbers || !baseFit || !headFit) return null;
  if (headFit.retainedAfterSettle === null || baseFit.retainedAfterSettle === null) return null;
  const threshold = input.thresholdBytesPerRequest;
  const delta = numbers.deltaBytesPerRequest;
  const retainedDelta = headFit.retainedAfterSettle - baseFit.retainedAfterSettle;
  const retainedUncertainty = Math.hypot(
    baseFit.retainedAfterSettleUncertainty ?? 0,
    headFit.retainedAfterSettleUncertainty ?? 0,
  );
  const largestRetained = Math.max(
    Math.abs(baseFit.retainedAfterSettle),
    Math.abs(headFit.retainedAfterSettle),
  );
  // The settled difference must stand out from noise and from both sides' own settled growth, and head must
  // still be growing at the end (a filled cache is not).
  const bar = Math.max(
    threshold * sideLeakFactor,
    survivingShareOfLeak * largestRetained,
    retainedUncertainty,
  );
  const isClearAfterSettle =
    retainedDelta > bar &&
    numbers.headSlopeBytesPerRequest > threshold * sideLeakFactor &&
    !isDecelerating(headFit, threshold);
  return {
    numbers: {
      ...numbers,
      retainedDeltaBytesPerRequest: retainedDelta,
      retainedDeltaUncertainty: retainedUncertainty,
    },
    isResolvedBySettling: delta > retainedUncertainty,
    isKept: survivesSettle(retainedDelta, Math.max(delta, 0), threshold),
    isClearAfterSettle,
    detectableBytesPerRequest: Math.max(bar, retainedDelta) + retainedUncertainty,
  };
}

/** Growth under load that settling gave back was held by timers, not leaked. */
export const heldByTimers: VerdictRule = {
  id: 'held-by-timers',
  decide: (input) => {
    const settled = settledEvidence(input);
    if (!settled || !isClear(settled.numbers.deltaBytesPerRequest, settled.numbers)) return null;
    if (!settled.isResolvedBySettling || settled.isKept) return null;
    return { verdict: 'unchanged', finding: { rule: 'held-by-timers', ...settled.numbers } };
  },
};

/** A clear difference under load that settling kept, or a settled difference that is clear on its own. */
export const keptAfterSettling: VerdictRule = {
  id: 'kept-after-settling',
  decide: (input) => {
    const settled = settledEvidence(input);
    if (!settled) return null;
    if (!isClear(settled.numbers.deltaBytesPerRequest, settled.numbers) && !settled.isClearAfterSettle)
      return null;
    return { verdict: 'regression', finding: { rule: 'kept-after-settling', ...settled.numbers } };
  },
};

/** Without settled samples, a clear difference under load is a regression. */
export const slopeDifference: VerdictRule = {
  id: 'slope-difference',
  decide: (input) => {
    const numbers = slopeNumbers(input);
    if (!numbers || settledEvidence(input) || !isClear(numbers.deltaBytesPerRequest, numbers)) return null;
    return { verdict: 'regression', finding: { rule: 'slope-difference', ...numbers } };
  },
};

export const slopeImprovement: VerdictRule = {
  id: 'slope-improvement',
  decide: (input) => {
    const numbers = slopeNumbers(input);
    if (!numbers || !isClear(-numbers.deltaBytesPerRequest, numbers)) return null;
    return { verdict: 'improvement', finding: { rule: 'slope-improvement', ...numbers } };
  },
};

/** Both sides leak and head not clearly more: the leak exists at base too. */
export const leakAtBoth: VerdictRule = {
  id: 'leak-at-both',
  decide: (input) => {
    const numbers = slopeNumbers(input);
    const isLeak = (side: ComparisonInput['base']) => primaryFit(side)?.verdict === 'leak';
    if (!numbers || !isLeak(input.base) || !isLeak(input.head)) return null;
    return { verdict: 'pre-existing', finding: { rule: 'leak-at-both', ...numbers } };
  },
};

/**
 * No clear difference, but the interval reaches far above the threshold and above a leak that would matter: any
 * leak below its upper end could have hidden in it, so the run cannot say there is none. Settled samples, when
 * they are sharper, set the limit.
 */
export const detectionLimit: VerdictRule = {
  id: 'detection-limit',
  decide: (input) => {
    const numbers = slopeNumbers(input);
    if (!numbers) return null;
    const underLoad = numbers.deltaBytesPerRequest + numbers.deltaUncertainty;
    const detectable = Math.min(underLoad, settledEvidence(input)?.detectableBytesPerRequest ?? underLoad);
    if (detectable <= inconclusiveAbove(input)) return null;
    return {
      verdict: 'inconclusive',
      finding: { rule: 'detection-limit', detectableBytesPerRequest: detectable, ...numbers },
    };
  },
};

export const withinNoise: VerdictRule = {
  id: 'within-noise',
  decide: (input) => {
    const numbers = slopeNumbers(input);
    return numbers ? { verdict: 'unchanged', finding: { rule: 'within-noise', ...numbers } } : null;
  },
};
