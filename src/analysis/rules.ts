// The verdict as an ordered list of small rules (memlab's leak filters are the model): the first rule that
// applies decides, and says why in numbers. A failed side first, then deaths, then the slopes; the last rule
// always applies.
import type { Comparison } from '../model/report.js';
import { bothDied, deathFacts, oneSideDied } from './deaths.js';
import {
  detectionLimit,
  heldByTimers,
  keptAfterSettling,
  leakAtBoth,
  slopeDifference,
  slopeImprovement,
  withinNoise,
} from './slope-rules.js';
import { type ComparisonInput, isClear, slopeNumbers, type VerdictRule } from './verdict-rule.js';

export const sideError: VerdictRule = {
  id: 'side-error',
  decide: ({ base, head }) => {
    const side = [base, head].find((each) => each.error);
    if (!side?.error) return null;
    const { code, message } = side.error;
    return { verdict: 'error', finding: { rule: 'side-error', side: labelOf(side), code, message } };
  },
};

export const sideCrashed: VerdictRule = {
  id: 'side-crashed',
  decide: ({ base, head }) => {
    const side = [base, head].find((each) => each.exit?.kind === 'crash');
    if (side?.exit?.kind !== 'crash') return null;
    const { code, signal, requestsSent } = side.exit;
    return {
      verdict: 'error',
      finding: { rule: 'side-crashed', side: labelOf(side), code, signal, requestsSent },
    };
  },
};

export const tooFewSamples: VerdictRule = {
  id: 'too-few-samples',
  decide: (input) =>
    slopeNumbers(input) ? null : { verdict: 'error', finding: { rule: 'too-few-samples' } },
};

export const verdictRules: readonly VerdictRule[] = [
  sideError,
  sideCrashed,
  oneSideDied,
  bothDied,
  tooFewSamples,
  heldByTimers,
  keptAfterSettling,
  slopeDifference,
  slopeImprovement,
  leakAtBoth,
  detectionLimit,
  withinNoise,
];

function labelOf(side: ComparisonInput['base']): 'base' | 'head' {
  return side.label === 'base' ? 'base' : 'head';
}

/** `heapCapBytes` tells a survivor heading for its cap from one that was not (see the death rules). */
export function compareSides(
  base: ComparisonInput['base'],
  head: ComparisonInput['head'],
  thresholdBytesPerRequest: number,
  heapCapBytes = Number.POSITIVE_INFINITY,
  isFinal = true,
): Comparison {
  const input: ComparisonInput = { base, head, thresholdBytesPerRequest, heapCapBytes, isFinal };
  for (const rule of verdictRules) {
    const decision = rule.decide(input);
    if (!decision) continue;
    const { finding } = decision;
    const numbers = 'deltaBytesPerRequest' in finding ? finding : null;
    // A regression that settling alone showed leads with the settled delta, not the one under load (a time-held
    // head leak read "FAIL -90 KiB retained per request").
    const isSettledOnly =
      finding.rule === 'kept-after-settling' && !isClear(finding.deltaBytesPerRequest, finding);
    return {
      verdict: decision.verdict,
      finding,
      deltaBytesPerRequest: isSettledOnly
        ? finding.retainedDeltaBytesPerRequest
        : (numbers?.deltaBytesPerRequest ?? null),
      deltaUncertainty: isSettledOnly
        ? finding.retainedDeltaUncertainty
        : (numbers?.deltaUncertainty ?? null),
      ...(finding.rule === 'one-side-died' || finding.rule === 'both-died'
        ? { deaths: { base: deathFacts(base), head: deathFacts(head) } }
        : {}),
    };
  }
  // withinNoise always decides once the slopes exist, and tooFewSamples when they do not.
  throw new Error('no verdict rule applied');
}
