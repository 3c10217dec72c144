// The heap-diff part of the comment: what accumulates per request at head (and at base, where a pre-existing
// leak lives), which package owns it, and the retainer path as a short vertical list whose shared hops are
// written once.
import { markdownTable } from 'markdown-table';
import type { CompareReport, HeapExplanation } from '../model/report.js';
import { byteUnitFor, formatAmount, formatBytes, formatSignedCount } from '../model/units.js';
import { escapeInline, inlineCode } from './escape.js';
import { type FoldedHeap, foldHeapRows, type PersonRow, type RetainerHop } from './heap-rows.js';

type DiffLabel = 'base' | 'head';

function explanationOf(report: CompareReport, label: DiffLabel = 'head'): HeapExplanation | undefined {
  return report.heapDiffs?.find((diff) => diff.label === label);
}

export function bumpedNames(report: CompareReport): string[] {
  return (report.dependencyChanges ?? []).map((change) => change.name);
}

/** Head's (or base's) analysed heap rows, folded for people; null when no diff was analysed. */
export function foldedHead(
  report: CompareReport,
  maxRows?: number,
  label: DiffLabel = 'head',
): FoldedHeap | null {
  const explanation = explanationOf(report, label);
  if (explanation?.status !== 'analysed') return null;
  return foldHeapRows(explanation.growing, {
    appDir: report[label].appDir,
    bumpedPackages: bumpedNames(report),
    ...(maxRows === undefined ? {} : { maxRows }),
  });
}

function ownerCell(row: PersonRow): string {
  if (row.owner === 'app') return 'your app';
  return row.isOwnerBumped ? `${inlineCode(row.owner, 100)} (bumped)` : inlineCode(row.owner, 100);
}

function growthTable(folded: FoldedHeap, label: DiffLabel): string {
  const unit = byteUnitFor(Math.max(...folded.rows.map((row) => row.bytesPerRequest)));
  const body = folded.rows.map((row) => [
    inlineCode(row.name, 60),
    ownerCell(row),
    formatSignedCount(row.objectsPerRequest),
    formatAmount(row.bytesPerRequest, unit),
  ]);
  const table = markdownTable([['Object', 'Owner', 'Objects', unit], ...body], {
    align: ['l', 'l', 'r', 'r'],
  });
  const notes: string[] = [];
  if (folded.hiddenRows > 0)
    notes.push(`${folded.hiddenRows} smaller groups (${formatBytes(folded.hiddenBytesPerRequest)})`);
  if (folded.internalBytesPerRequest > 0)
    notes.push(`${formatBytes(folded.internalBytesPerRequest)} of V8 internals`);
  const more = notes.length > 0 ? `; also ${notes.join(', ')}` : '';
  return `${table}\n\n<sub>Per request at ${label}; sizes include the V8 internals each object holds${more}.</sub>`;
}

function hopText(hop: RetainerHop): string {
  const edge = hop.edge === null ? '' : ` (${inlineCode(hop.edge, 60)})`;
  const file = hop.file === null ? '' : ` in ${inlineCode(hop.file, 120)}`;
  const name = hop.name === '…' ? '…' : inlineCode(hop.name, 60);
  return `${name}${edge}${file}`;
}

const sameHop = (a: RetainerHop, b: RetainerHop) =>
  a.name === b.name && a.edge === b.edge && a.file === b.file;

/**
 * The trunk is the top row's path up to the deepest hop another shown row passes through too; each row then
 * lists only what comes after its last trunk hop. Paths are cut to their last hops, so they are aligned on
 * shared hops rather than compared from the start.
 */
export function splitTrunk(rows: PersonRow[]): { trunk: RetainerHop[]; tails: RetainerHop[][] } {
  const top = rows[0]?.path ?? [];
  const lastShared = (path: RetainerHop[]) =>
    top.findLastIndex((hop) => hop.name !== '…' && path.some((other) => sameHop(hop, other)));
  const depths = rows.slice(1).map((row) => lastShared(row.path));
  const trunkEnd = rows.length === 1 ? top.length - 1 : Math.max(-1, ...depths);
  const trunk = top.slice(0, trunkEnd + 1);
  const tails = rows.map((row) => {
    const anchor =
      trunk.length === 0 ? -1 : row.path.findLastIndex((hop) => trunk.some((t) => sameHop(t, hop)));
    return row.path.slice(anchor + 1);
  });
  return { trunk, tails };
}

export function renderRetainerList(rows: PersonRow[]): string | null {
  const shown = rows.filter((row) => row.path.length > 0);
  if (shown.length === 0) return null;
  const { trunk, tails } = splitTrunk(shown);
  const lines = trunk.map((hop, index) => `${index + 1}. ${hopText(hop)}`);
  const indent = trunk.length > 0 ? '   ' : '';
  shown.forEach((row, index) => {
    const tail = tails[index] ?? [];
    const via = tail.length > 0 ? `: → ${tail.map(hopText).join(' → ')}` : '';
    const defined = row.definedIn ? ` (defined in ${inlineCode(row.definedIn, 120)})` : '';
    lines.push(`${indent}- **${inlineCode(row.name, 60)}**${defined}${via}`);
  });
  return lines.join('\n');
}

/** The growing objects at head (or base), or a line saying why there are none; null when no diff was asked for. */
export function renderHeapSection(
  report: CompareReport,
  maxRows?: number,
  label: DiffLabel = 'head',
): string | null {
  const explanation = explanationOf(report, label);
  if (!explanation) return null;
  const title = `#### What grows at ${label}`;
  if (explanation.status === 'skipped')
    return `${title}\n\n_Not analysed: ${escapeInline(explanation.reason, 300)}._`;
  const folded = foldedHead(report, maxRows, label);
  if (!folded || folded.rows.length === 0) {
    return `${title}\n\n_No object group grew steadily over ${explanation.requests} requests above the noise threshold._`;
  }
  const list = renderRetainerList(folded.rows);
  const path = list
    ? `\n\n<details open>\n<summary>What holds it, from the GC root</summary>\n\n${list}\n\n</details>`
    : '';
  return `${title}\n\n${growthTable(folded, label)}${path}`;
}
