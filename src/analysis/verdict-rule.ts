// The shape every verdict rule shares: the two sides and the run's limits in, a verdict with its finding (or
// nothing, so the next rule decides) out. rules.ts orders them.
import type { ComparisonVerdict, SideResult } from '../model/report.js';
import type { SlopeNumbers, VerdictFinding, VerdictRuleId } from '../model/verdict.js';
import { primaryFit } from './analysis.js';

export interface ComparisonInput {
  base: SideResult;
  head: SideResult;
  thresholdBytesPerRequest: number;
  /** Tells a survivor heading for its cap from one that was not (see the death rules). */
  heapCapBytes: number;
  /** Mid-run (deciding whether to stop a survivor) a survivor must also have served a third more. */
  isFinal: boolean;
}

export interface Decision {
  verdict: ComparisonVerdict;
  finding: VerdictFinding;
}

export interface VerdictRule {
  id: VerdictRuleId;
  /** The verdict when this rule applies; null hands the comparison to the next rule. */
  decide: (input: ComparisonInput) => Decision | null;
}

/** The steady-segment slopes of both sides on the primary metric; null when a side has too few samples. */
export function slopeNumbers(input: ComparisonInput): SlopeNumbers | null {
  const [baseSteady, headSteady] = [primaryFit(input.base)?.steady, primaryFit(input.head)?.steady];
  if (!baseSteady || !headSteady) return null;
  const halfWidth = (fit: typeof baseSteady) => (fit.high - fit.low) / 2;
  return {
    baseSlopeBytesPerRequest: baseSteady.slope,
    headSlopeBytesPerRequest: headSteady.slope,
    deltaBytesPerRequest: headSteady.slope - baseSteady.slope,
    deltaUncertainty: Math.hypot(halfWidth(baseSteady), halfWidth(headSteady)),
    thresholdBytesPerRequest: input.thresholdBytesPerRequest,
  };
}

/** A difference clear of both the threshold and its own uncertainty. */
export function isClear(difference: number, numbers: SlopeNumbers): boolean {
  return difference > numbers.thresholdBytesPerRequest && difference > numbers.deltaUncertainty;
}
