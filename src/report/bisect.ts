// The bisection in the comment: one culprit line in the headline area, the steps in a collapsible table.
import { markdownTable } from 'markdown-table';
import type { BisectionResult, BisectionStepVerdict } from '../model/bisect.js';
import { escapeInline, inlineCode } from './escape.js';
import { details, formatChange } from './sections.js';
import { formatBytes, formatDurationMs } from './units.js';

const STEP_VERDICTS: Record<BisectionStepVerdict, string> = {
  regression: '❌ regression',
  clean: '✅ clean',
  'install-failed': '⏭️ skipped: install failed',
  'build-failed': '⏭️ skipped: build failed',
  error: '💥 could not measure',
};

/** `Culprit: \`pkg\` a → b (+N KB/request alone)`, the interaction, or why bisection named nobody. */
export function renderBisectionLine(bisection: BisectionResult): string {
  const { outcome } = bisection;
  if (outcome.kind === 'culprit') {
    const alone = `${formatBytes(outcome.deltaBytesPerRequest)}/request alone`;
    const confirmed = outcome.isConfirmed
      ? ''
      : ', not the full head’s slope: the other bumps change the total';
    return `Culprit: ${outcome.changes.map(formatChange).join(' + ')} (${alone}${confirmed})`;
  }
  if (outcome.kind === 'interaction') {
    return `No single bump leaks alone; the leak needs these together: ${outcome.changes.map(formatChange).join(', ')}`;
  }
  return `Bisection named no culprit: ${escapeInline(outcome.reason, 300)}`;
}

/** The steps as a collapsible table: set tried, slope, difference to base, verdict. */
export function renderBisectionSteps(bisection: BisectionResult): string {
  const rows = bisection.steps.map((step) => [
    step.packages.map((name) => inlineCode(name, 100)).join(', ') +
      (step.isConfirmation ? ' (confirmation)' : ''),
    step.slopeBytesPerRequest === null ? '—' : `${formatBytes(step.slopeBytesPerRequest)}/req`,
    step.deltaBytesPerRequest === null ? '—' : `${formatBytes(step.deltaBytesPerRequest)}/req`,
    STEP_VERDICTS[step.verdict],
  ]);
  const table = markdownTable([['Bumps applied to base', 'Slope', 'vs base', 'Verdict'], ...rows], {
    align: ['l', 'r', 'r', 'l'],
  });
  const notes = bisection.notBisected.length
    ? `\n\nNot bisected (removed from the lockfile only, so no candidate can apply it): ${bisection.notBisected.map((name) => inlineCode(name, 100)).join(', ')}`
    : '';
  const summary = `Bisection: ${bisection.candidateCount} candidates in ${formatDurationMs(bisection.durationMs)}`;
  return details(summary, `${table}${notes}`);
}
