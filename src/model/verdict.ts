// Why a comparison reached its verdict, as data: the rule that decided (src/analysis/rules.ts lists them in
// order) and the numbers it compared. Sentences are written from it in src/report/verdict-text.ts.

import type { ErrorCode } from '../settings/errors.js';

export type SideLabel = 'base' | 'head';

/** The slopes every slope rule compares, bytes/request on the primary metric (heap + external). */
export interface SlopeNumbers {
  baseSlopeBytesPerRequest: number;
  headSlopeBytesPerRequest: number;
  /** head − base. */
  deltaBytesPerRequest: number;
  /** Half-width of the 95 % interval of the delta. */
  deltaUncertainty: number;
  thresholdBytesPerRequest: number;
}

/** What settling said: head's settled growth minus base's, and the half-width of its 95 % interval. */
export interface SettleNumbers {
  retainedDeltaBytesPerRequest: number;
  retainedDeltaUncertainty: number;
}

export type VerdictFinding =
  | { rule: 'side-error'; side: SideLabel; code: ErrorCode; message: string }
  | {
      rule: 'side-crashed';
      side: SideLabel;
      code: number | null;
      signal: string | null;
      requestsSent: number;
    }
  /** One side died (the numbers are in `Comparison.deaths`); the survivor was clearly alive or not. */
  | { rule: 'one-side-died'; died: SideLabel; isSurvivorClear: boolean }
  /** Both died: head died sooner or grew faster than base (or the reverse), compared on what killed them. */
  | { rule: 'both-died'; isHeadWorse: boolean; isHeadBetter: boolean }
  | { rule: 'too-few-samples' }
  | ({ rule: 'held-by-timers' | 'kept-after-settling' } & SlopeNumbers & SettleNumbers)
  | ({ rule: 'slope-difference' | 'slope-improvement' | 'leak-at-both' | 'within-noise' } & SlopeNumbers)
  /** The interval is so wide that only leaks above `detectableBytesPerRequest` could have been seen. */
  | ({ rule: 'detection-limit'; detectableBytesPerRequest: number } & SlopeNumbers);

export type VerdictRuleId = VerdictFinding['rule'];

export const VERDICT_RULE_IDS: readonly VerdictRuleId[] = [
  'side-error',
  'side-crashed',
  'one-side-died',
  'both-died',
  'too-few-samples',
  'held-by-timers',
  'kept-after-settling',
  'slope-difference',
  'slope-improvement',
  'leak-at-both',
  'detection-limit',
  'within-noise',
];
