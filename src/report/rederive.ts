// `mode: report` never trusts a verdict it is handed: every side's fits and verdict and the comparison are
// computed again from the report's samples, exits and errors, with the measuring code's own analysis and the
// threshold of the workflow that comments. A report whose claimed verdict disagrees with its numbers is rejected.
import { fitMetrics, sideVerdict } from '../analysis/analysis.js';
import { compareSides } from '../analysis/rules.js';
import type { CompareReport, SideResult } from '../model/report.js';
import { LeakwatchError } from '../settings/errors.js';

function rederiveSide(side: SideResult, thresholdBytesPerRequest: number): SideResult {
  const fits = fitMetrics(side.samples, thresholdBytesPerRequest);
  return { ...side, fits, verdict: side.error ? 'error' : sideVerdict(fits, side.exit) };
}

export function rederiveReport(
  report: CompareReport,
  thresholdBytesPerRequest: number,
  trustedHeapCapMb: number,
  source: string,
): CompareReport {
  const base = rederiveSide(report.base, thresholdBytesPerRequest);
  const head = rederiveSide(report.head, thresholdBytesPerRequest);
  // A larger cap lets a wider interval pass (detection-limit), so the report's own cap counts only up to the
  // commenting workflow's: a forged `heapCapMb` cannot turn an inconclusive run green.
  const heapCapMb = Math.min(report.plan.heapCapMb, trustedHeapCapMb);
  const comparison = compareSides(base, head, thresholdBytesPerRequest, heapCapMb * 2 ** 20);
  const claimed = report.comparison.verdict;
  const mismatch =
    comparison.verdict !== claimed
      ? `it claims \`${claimed}\` but its numbers give \`${comparison.verdict}\` at a threshold of ${thresholdBytesPerRequest} B/request`
      : [report.base, report.head].find((side, index) => side.verdict !== [base, head][index]?.verdict)
        ? "a side's claimed verdict disagrees with its samples"
        : null;
  if (mismatch) {
    throw new LeakwatchError('REPORT_REJECTED', `Rejected ${source}: ${mismatch}.`, {
      hint: 'Report mode recomputes every verdict with its own `threshold` and `heap-cap-mb` (give both workflows the same); a report edited after `mode: measure` wrote it is refused.',
    });
  }
  return { ...report, plan: { ...report.plan, thresholdBytesPerRequest }, base, head, comparison };
}
