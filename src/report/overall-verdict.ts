// The verdict of a whole comment (one or many reports) and its title: the check run, the log and the comment's
// heading all read it from here.
import type { CompareReport } from '../model/report.js';

export type OverallVerdict =
  | 'regression'
  | 'no-regression'
  | 'pre-existing'
  | 'inconclusive'
  | 'skipped'
  | 'error';

/** Short verdict titles, for the check run's title and the action log. */
export const HEADLINES: Record<OverallVerdict, string> = {
  regression: '❌ leakwatch: memory regression',
  'no-regression': '✅ leakwatch: no memory regression',
  'pre-existing': '⚠️ leakwatch: pre-existing leak, not introduced by this change',
  inconclusive: '❓ leakwatch: inconclusive, this run could not tell base and head apart',
  skipped: '⏭️ leakwatch: skipped',
  error: '💥 leakwatch: could not measure',
};

export function reportVerdict(report: CompareReport): OverallVerdict {
  const verdict = report.comparison.verdict;
  return verdict === 'improvement' || verdict === 'unchanged' ? 'no-regression' : verdict;
}

/** The verdict of the whole comment: a regression anywhere outranks an error, which outranks a pre-existing leak. */
export function overallVerdict(input: {
  reports: readonly CompareReport[];
  skipped?: unknown;
  error?: unknown;
}): OverallVerdict {
  if (input.error) return 'error';
  if (input.reports.length === 0) return input.skipped ? 'skipped' : 'error';
  const verdicts = new Set(input.reports.map(reportVerdict));
  for (const verdict of ['regression', 'error', 'inconclusive', 'pre-existing'] as const) {
    if (verdicts.has(verdict)) return verdict;
  }
  return 'no-regression';
}
