import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node, Scalar } from 'yaml';

/** A place in a scenario file, 1-based, for messages of the form `file:line:column`. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Segments of a path into the parsed document: map keys as strings, sequence indexes as numbers. */
export type DocumentPath = (string | number)[];

/**
 * Finds where `path` sits in the source. With `key`, points at that key of the map at `path` (an unknown
 * field, an invalid name). Falls back to the deepest node that exists, so a position is always given.
 */
export function findPosition(
  document: Document,
  lineCounter: LineCounter,
  path: DocumentPath,
  options: { key?: string; offsetInValue?: number } = {},
): SourcePosition {
  let node = document.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  let isFound = true;
  for (const segment of path) {
    const child = childOf(node, segment)?.value;
    if (!child) {
      isFound = false;
      break;
    }
    node = child;
    offset = child.range?.[0] ?? offset;
  }
  if (isFound && options.key !== undefined) {
    offset = childOf(node, options.key)?.key?.range?.[0] ?? offset;
  } else if (isFound && options.offsetInValue !== undefined && isScalar(node)) {
    offset += offsetInScalarSource(node, options.offsetInValue);
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function childOf(
  node: Node | null,
  segment: string | number,
): { key: Node | null; value: Node | null } | undefined {
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment] as Node | undefined;
    return item ? { key: null, value: item } : undefined;
  }
  if (isMap(node)) {
    const pair = node.items.find(
      (candidate) =>
        String(isScalar(candidate.key) ? candidate.key.value : candidate.key) === String(segment),
    );
    return pair ? { key: pair.key as Node | null, value: pair.value as Node | null } : undefined;
  }
  return undefined;
}

// Quoted scalars start with their quote; escapes inside are rare enough in templates to ignore.
function offsetInScalarSource(node: Scalar, offsetInValue: number): number {
  if (node.type === Scalar.PLAIN) return offsetInValue;
  if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) return offsetInValue + 1;
  return 0;
}
