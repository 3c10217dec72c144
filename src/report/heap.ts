// The heap-diff part of the comment: what accumulates per request at head, what holds it, and which package.
import { markdownTable } from 'markdown-table';
import type { CompareReport, HeapExplanation, HeapGrowthRow } from '../model/report.js';
import { escapeInline, inlineCode, preformatted } from './escape.js';
import { formatBytes } from './units.js';

const maxRows = 8;

function packageCell(row: HeapGrowthRow): string {
  const [bumped] = row.bumpedPackages;
  if (bumped) return `**${inlineCode(bumped, 100)}** (bumped)`;
  const [closest] = row.packages;
  return closest ? inlineCode(closest, 100) : 'app';
}

function growthTable(rows: HeapGrowthRow[]): string {
  const body = rows
    .slice(0, maxRows)
    .map((row) => [
      inlineCode(row.name, 80),
      `+${row.objectsPerRequest.toFixed(row.objectsPerRequest < 10 ? 2 : 0)}`,
      formatBytes(row.bytesPerRequest),
      row.retainedBytesPerRequest === null ? 'n/a' : formatBytes(row.retainedBytesPerRequest),
      row.sourceFile ? inlineCode(row.sourceFile, 120) : '—',
      packageCell(row),
    ]);
  return markdownTable(
    [['Object', 'Objects/req', 'Bytes/req', 'Retained/req', 'Defined in', 'Package'], ...body],
    { align: ['l', 'r', 'r', 'r', 'l', 'l'] },
  );
}

function headExplanation(report: CompareReport): HeapExplanation | undefined {
  return report.heapDiffs?.find((diff) => diff.label === 'head');
}

/** The growing objects at head as a table, or a line saying why there is none; null when no diff was asked for. */
export function renderHeapSection(report: CompareReport): string | null {
  const explanation = headExplanation(report);
  if (!explanation) return null;
  const title = '#### What grows at head (heap snapshots)';
  if (explanation.status === 'skipped')
    return `${title}\n\n_Not analysed: ${escapeInline(explanation.reason, 300)}._`;
  if (explanation.growing.length === 0) {
    return `${title}\n\n_No object group grew steadily over ${explanation.requests} requests above the noise threshold._`;
  }
  return `${title}\n\n${growthTable(explanation.growing)}`;
}

/** The shortest retainer path of the largest growing group, for a collapsible block. */
export function renderTopRetainerPath(report: CompareReport): string | null {
  const explanation = headExplanation(report);
  if (explanation?.status !== 'analysed') return null;
  const top = explanation.growing.find((row) => row.retainerPath !== null);
  if (!top?.retainerPath) return null;
  return `${inlineCode(top.name, 80)} is held by:\n\n${preformatted(top.retainerPath, 20, 3000)}`;
}
