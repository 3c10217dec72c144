// The bisection and its remedy, rendered twice from one set of sentences: markdown for the comment and the job
// summary (culprit and remedy lines in the headline area, the steps collapsed), plain text for the terminal.
import { markdownTable } from 'markdown-table';
import type {
  BisectionOutcome,
  BisectionResult,
  BisectionStep,
  BisectionStepVerdict,
} from '../model/bisect.js';
import type { DependencyChange } from '../model/deps.js';
import { formatBytes, formatDurationMs, formatInteger } from '../model/units.js';
import { escapeInline, inlineCode } from './escape.js';
import { details, formatChange } from './sections.js';

const STEP_VERDICTS: Record<BisectionStepVerdict, string> = {
  regression: '❌ regression',
  clean: '✅ clean',
  inconclusive: '❓ inconclusive',
  'install-failed': '⏭️ skipped: install failed',
  'build-failed': '⏭️ skipped: build failed',
  error: '💥 could not measure',
};

interface Style {
  change: (change: DependencyChange) => string;
  name: (name: string) => string;
  text: (text: string) => string;
}
const markdown: Style = {
  change: formatChange,
  name: (name) => inlineCode(name, 100),
  text: (text) => escapeInline(text, 300),
};
const plain: Style = {
  change: (change) => `${change.name} ${change.from ?? '(none)'} → ${change.to ?? '(removed)'}`,
  name: (name) => name,
  text: (text) => text,
};

/** `Culprit: \`pkg\` a → b (+N KB/request alone, confirmed ...)`, the interaction, or why nobody was named. */
function culpritLine(bisection: BisectionResult, style: Style): string {
  const { outcome } = bisection;
  if (outcome.kind === 'culprit') {
    const [lead, ...brought] = outcome.changes;
    const carried = brought.length > 0 ? ` with the ${brought.length} transitive changes it brings in` : '';
    const named = lead
      ? `${lead.isRuntime ? runtimeChange(lead, style) : style.change(lead)}${carried}`
      : 'nothing';
    return `Culprit: ${named} (${evidence(outcome, bisection)})`;
  }
  if (outcome.kind === 'interaction') {
    return `No single bump leaks alone; the leak needs these together: ${outcome.changes.map(style.change).join(', ')}`;
  }
  return `Bisection named no culprit: ${style.text(outcome.reason)}`;
}

/** `Node.js 20.15.1 → 22.12.0`: a runtime bump named as the runtime, not as a package called node. */
function runtimeChange(change: DependencyChange, style: Style): string {
  return `Node.js ${style.text(`${change.from ?? '(none)'} → ${change.to ?? '(none)'}`)}`;
}

function evidence(
  outcome: Extract<BisectionOutcome, { kind: 'culprit' }>,
  bisection: BisectionResult,
): string {
  if (outcome.confirmation === 'only-bump') return 'the only bump in this PR: nothing else was measured';
  const confirmation = bisection.steps.find((step) => step.isConfirmation);
  if (outcome.confirmation === 'ran-out-of-memory') {
    return `alone it ran out of memory after ${formatInteger(confirmation?.diedAfterRequests ?? 0)} requests, as head did: confirmed`;
  }
  const died = confirmation?.diedAfterRequests;
  const alone =
    died !== null && died !== undefined
      ? `alone it ran out of memory after ${formatInteger(died)} requests`
      : `${formatBytes(outcome.deltaBytesPerRequest ?? Number.NaN)}/request alone`;
  if (outcome.confirmation === 'slope') return `${alone}, head’s slope: confirmed`;
  return `${alone}, not what head did: the other bumps change the total`;
}

function remedyLine(bisection: BisectionResult, style: Style): string | null {
  const remedy = bisection.remedy;
  return remedy ? `Remedy: ${style.text(remedy.sentence)}` : null;
}

function stepRows(bisection: BisectionResult, style: Style): string[][] {
  const row = (step: BisectionStep, role: string) => [
    step.packages.map(style.name).join(', ') + role,
    step.diedAfterRequests !== null
      ? `out of memory after ${formatInteger(step.diedAfterRequests)} req`
      : step.slopeBytesPerRequest === null
        ? '—'
        : `${formatBytes(step.slopeBytesPerRequest)}/req`,
    step.deltaBytesPerRequest === null ? '—' : `${formatBytes(step.deltaBytesPerRequest)}/req`,
    style === plain ? step.verdict : STEP_VERDICTS[step.verdict],
  ];
  return [
    ['Applied to base', 'Slope', 'vs base', 'Verdict'],
    ...bisection.steps.map((step) => row(step, step.isConfirmation ? ' (confirmation)' : '')),
    ...(bisection.remedy?.steps ?? []).map((step) => row(step, ' (remedy)')),
  ];
}

function stepsSummary(bisection: BisectionResult): string {
  const remedy = bisection.remedy;
  const remedyPart = remedy?.steps.length
    ? `, remedy: ${remedy.steps.length} in ${formatDurationMs(remedy.durationMs)}`
    : '';
  return `Bisection: ${bisection.units.length} bumps, ${bisection.candidateCount} candidates in ${formatDurationMs(bisection.durationMs)}${remedyPart}`;
}

/** The culprit line, then the remedy line when there is one. */
export function renderBisectionLine(bisection: BisectionResult): string {
  return [culpritLine(bisection, markdown), remedyLine(bisection, markdown)].filter(Boolean).join('; ');
}

/** The steps (bisection and remedy) as a collapsible table: set tried, slope, difference to base, verdict. */
export function renderBisectionSteps(bisection: BisectionResult, isOpen = false): string {
  const table = markdownTable(stepRows(bisection, markdown), { align: ['l', 'r', 'r', 'l'] });
  const notes = bisection.notBisected.length
    ? `\n\nNot bisected (removed from the lockfile only, so no candidate can apply it): ${bisection.notBisected.map(markdown.name).join(', ')}`
    : '';
  return details(stepsSummary(bisection), `${table}${notes}`, isOpen);
}

/** The culprit and remedy sentences for the terminal, without markup. */
export function bisectionPlainLines(bisection: BisectionResult): { culprit: string; remedy: string | null } {
  return { culprit: culpritLine(bisection, plain), remedy: remedyLine(bisection, plain) };
}

/** The steps as plain rows (header first), for the terminal's own column layout. */
export function bisectionPlainRows(bisection: BisectionResult): string[][] {
  return stepRows(bisection, plain);
}

export { stepsSummary as bisectionSummary };
