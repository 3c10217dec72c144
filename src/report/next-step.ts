// What the reviewer does next, per verdict: keep the base version (or the culprit's clean release), merge
// the fix, look where the existing leak grows, or fix what stopped the measurement.
import type { DependencyChange } from '../model/deps.js';
import type { CompareReport, SideResult } from '../model/report.js';
import { formatBytes } from '../model/units.js';
import { holderText, type Inline } from './headline.js';

function regressionStep(report: CompareReport, changes: DependencyChange[], fmt: Inline): string {
  const outcome = report.bisection?.outcome;
  const [lead] = outcome?.kind === 'culprit' ? outcome.changes : [];
  if (lead && report.bisection) {
    const others = report.bisection.units.filter(
      (unit) => unit.kind === 'bump' && unit.lead !== lead.name,
    ).length;
    const rest = others > 0 ? `; the other ${others} bump${others > 1 ? 's' : ''} can merge without it` : '';
    // A remedy was measured (a newer release clean) or decided (a downgrade stays where base is).
    const remedy = report.bisection.remedy;
    if (remedy && remedy.advice !== 'unknown') return `${fmt.text(remedy.sentence)}${rest}.`;
    return `Keep ${fmt.code(lead.name)} at ${fmt.text(lead.from ?? '(not installed)')}, the last release without the leak${rest}.`;
  }
  if (outcome?.kind === 'interaction') {
    return `Keep the base versions: no single bump leaks alone, these leak together: ${outcome.changes.map((change) => fmt.code(change.name)).join(', ')}.`;
  }
  const [only] = changes;
  if (changes.length === 1 && only) {
    const base = `${fmt.code(only.name)} ${fmt.text(only.from ?? '(not installed)')}`;
    return only.kind === 'downgrade'
      ? `Stay on ${base}: this bump is a downgrade and brings the leak back.`
      : `Stay on ${base} until a release without the leak; report it upstream with the heap diff below.`;
  }
  if (changes.length > 1) return 'Keep the base versions, or split this update to find the bump that leaks.';
  // Two folders compared as they are, without a package.json leakwatch could read: nothing to diff.
  if (report.dependencyChanges === undefined)
    return 'Comparing two folders with no dependency diff: look at what holds the growth below.';
  return 'No dependency changed between base and head: look at what holds the growth below.';
}

/** The first line of a log that reads like the error, e.g. `Error: Cannot find module '/app/srever.js'`. */
export function firstErrorLine(log: string | undefined): string | null {
  if (!log) return null;
  const lines = log.split('\n').map((line) => line.trim());
  const isError = (line: string) =>
    /^(\w*Error\b|Error:|ERR!|error\b|FATAL|fatal:|Cannot |Uncaught )/i.test(line) ||
    /\bERR_[A-Z_]+\b/.test(line);
  return lines.find(isError) ?? lines.find((line) => line.length > 0) ?? null;
}

export function sideLog(side: SideResult): string | undefined {
  return side.error?.logTail ?? (side.exit && 'logTail' in side.exit ? side.exit.logTail : undefined);
}

/** The fix for an error: the failing side's hint, else where to look. */
function errorStep(report: CompareReport, fmt: Inline): string {
  const failed = [report.head, report.base].find((side) => side.error || side.exit?.kind === 'crash');
  if (failed?.error?.hint) return fmt.text(failed.error.hint);
  if (failed?.exit?.kind === 'crash')
    return `Fix the crash in ${failed.label} (log below), then rerun; leakwatch cannot judge a side that died.`;
  return 'Fix the cause above and rerun.';
}

export function nextStepText(report: CompareReport, changes: DependencyChange[], fmt: Inline): string | null {
  const { comparison } = report;
  switch (comparison.verdict) {
    case 'regression':
      return regressionStep(report, changes, fmt);
    case 'improvement': {
      const removed = comparison.deltaBytesPerRequest === null ? null : -comparison.deltaBytesPerRequest;
      return removed === null
        ? 'Merge: head no longer runs out of memory.'
        : `Merge: this change removes a ${formatBytes(removed, { signed: false })}/request leak.`;
    }
    case 'pre-existing': {
      const where = holderText(report, fmt);
      return where
        ? `Not introduced by this change: fix the existing leak in ${where}.`
        : `Not introduced by this change. Set ${fmt.code('heap-snapshots: always')} to see where the existing leak grows.`;
    }
    case 'error':
      return errorStep(report, fmt);
    default:
      return null;
  }
}
