// Where each node of a scenario file starts, for messages of the form `file:line:column`. js-yaml (also the
// lockfiles' parser) reports every node it composes to a listener; the tree of those events is the document's shape.
import jsYaml from 'js-yaml';

/** A place in a scenario file, 1-based. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Segments of a path into the parsed document: map keys as strings, sequence indexes as numbers. */
export type DocumentPath = (string | number)[];

/** One node of the source: a mapping's children are its keys and values in turn, a sequence's its items. */
export interface SourceNode {
  /** Offset of the node's first character, and just past its last. */
  start: number;
  end: number;
  kind: 'mapping' | 'sequence' | 'scalar' | null;
  /** What the node composed to: a scalar's value matches a mapping's key, a sequence's length its items. */
  value: unknown;
  children: SourceNode[];
}

export interface LocatedDocument {
  text: string;
  data: unknown;
  root: SourceNode | undefined;
}

/** Parses YAML (or JSON, which YAML includes) with the core schema, keeping where every node starts. */
export function parseWithPositions(text: string): LocatedDocument {
  const stack: SourceNode[] = [{ start: 0, end: 0, kind: null, value: undefined, children: [] }];
  const openedAt: number[] = [];
  const data = jsYaml.load(text, {
    schema: jsYaml.CORE_SCHEMA,
    listener: (event, state) => {
      if (event === 'open') {
        openedAt.push(state.position);
        // A node opens before the spaces, line breaks and comments in front of it.
        const start = skipToContent(text, state.position);
        stack.push({ start, end: start, kind: null, value: undefined, children: [] });
        return;
      }
      const node = stack.pop() as SourceNode;
      const opened = openedAt.pop() as number;
      node.kind = state.kind as SourceNode['kind'];
      node.value = state.result;
      node.end = state.position;
      // An empty value (`method:` and nothing) is where it would have been written, not on the next line.
      if (node.kind === null) node.start = opened;
      if (node.kind === 'sequence') node.children = withEmptyItems(text, node);
      // A flow collection in block context is first composed as a would-be mapping key: it comes wrapped in a
      // node of its own kind, at the same place.
      const [only, ...others] = node.children;
      const isWrapper = only && others.length === 0 && only.start === node.start && only.kind === node.kind;
      stack.at(-1)?.children.push(isWrapper ? only : node);
    },
  });
  // An empty file is no document: null, as for a file that says `null`.
  return { text, data: data ?? null, root: stack[0]?.children[0] };
}

/** An empty `-` item composes no node: it gets one just after its dash, so the items after it keep their index. */
function withEmptyItems(text: string, sequence: SourceNode): SourceNode[] {
  const items = Array.isArray(sequence.value) ? sequence.value : [];
  const composed = sequence.children;
  if (composed.length >= items.length) return composed;
  const children: SourceNode[] = [];
  let from = sequence.start;
  for (let index = 0, next = 0; index < items.length; index++) {
    const child = composed[next];
    const isEmptyHere = items.length - index > composed.length - next && items[index] === null;
    if (child && !(isEmptyHere && child.value !== null)) {
      children.push(child);
      from = child.end;
      next++;
      continue;
    }
    const dash = text.indexOf('-', from);
    const start = dash === -1 ? from : dash + 1;
    children.push({ start, end: start, kind: null, value: null, children: [] });
    from = start;
  }
  return children;
}

/**
 * Finds where `path` sits in the source. With `key`, points at that key of the map at `path` (an unknown
 * field, an invalid name). Falls back to the deepest node that exists, so a position is always given.
 */
export function findPosition(
  document: LocatedDocument,
  path: DocumentPath,
  options: { key?: string; offsetInValue?: number } = {},
): SourcePosition {
  let node = document.root;
  let offset = node?.start ?? 0;
  let isFound = true;
  for (const segment of path) {
    const child = childOf(node, segment)?.value;
    if (!child) {
      isFound = false;
      break;
    }
    node = child;
    offset = child.start;
  }
  if (isFound && options.key !== undefined) {
    offset = childOf(node, options.key)?.key?.start ?? offset;
  } else if (isFound && options.offsetInValue !== undefined && node?.kind === 'scalar') {
    offset += offsetInScalarSource(document.text[offset], options.offsetInValue);
  }
  return positionOf(document.text, offset);
}

function childOf(
  node: SourceNode | undefined,
  segment: string | number,
): { key: SourceNode | null; value: SourceNode | undefined } | undefined {
  // An empty `-` item or a flow key without a value composes no node: then children and items do not line up,
  // and the collection itself is the closest position known.
  if (node?.kind === 'sequence' && typeof segment === 'number') {
    const item = node.children[segment];
    const isAligned = Array.isArray(node.value) && node.value.length === node.children.length;
    return item && isAligned ? { key: null, value: item } : undefined;
  }
  if (node?.kind !== 'mapping' || node.children.length % 2 === 1) return undefined;
  for (let index = 0; index + 1 < node.children.length; index += 2) {
    const key = node.children[index] as SourceNode;
    if (String(key.value) === String(segment)) return { key, value: node.children[index + 1] };
  }
  return undefined;
}

// Quoted scalars start with their quote; escapes inside are rare enough in templates to ignore.
function offsetInScalarSource(firstChar: string | undefined, offsetInValue: number): number {
  if (firstChar === '"' || firstChar === "'") return offsetInValue + 1;
  if (firstChar === '|' || firstChar === '>') return 0;
  return offsetInValue;
}

function skipToContent(text: string, from: number): number {
  let index = from;
  while (index < text.length) {
    const char = text[index];
    if (char === '#') {
      const lineEnd = text.indexOf('\n', index);
      index = lineEnd === -1 ? text.length : lineEnd;
    } else if (char === ' ' || char === '\t' || char === '\r' || char === '\n') index++;
    else break;
  }
  return index;
}

export function positionOf(text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
