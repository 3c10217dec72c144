import { open } from 'node:fs/promises';
import { LeakwatchError } from '../errors.js';

/**
 * How much of a snapshot to keep. `ids` keeps only the highest object id (snapshot 1 of the
 * 3-snapshot rule needs nothing else), `nodes` adds nodes and strings, `full` adds edges and locations.
 */
export type SnapshotDetail = 'ids' | 'nodes' | 'full';

/** A V8 heap snapshot held in typed arrays, laid out as in the file (`nodes` and `edges` are flat). */
export interface ParsedSnapshot {
  nodeFieldCount: number;
  edgeFieldCount: number;
  nodeTypeNames: readonly string[];
  edgeTypeNames: readonly string[];
  /** Offsets of the fields inside one node / one edge record. */
  nodeField: { type: number; name: number; id: number; selfSize: number; edgeCount: number };
  edgeField: { type: number; nameOrIndex: number; toNode: number };
  nodeCount: number;
  edgeCount: number;
  /** Empty when detail is `ids`. */
  nodes: Uint32Array;
  /** Empty unless detail is `full`. */
  edges: Uint32Array;
  /** Flat `[nodeOffset, scriptId, line, column]` records; empty unless detail is `full`. */
  locations: Uint32Array;
  /** Truncated to `maxStringChars`; empty when detail is `ids`. */
  strings: string[];
  /** Highest id of a V8 heap object (odd ids; even ids are embedder nodes that are renumbered per snapshot). */
  maxHeapObjectId: number;
}

export interface ParseSnapshotOptions {
  path: string;
  detail: SnapshotDetail;
  /** Strings are kept up to this many characters (script sources would otherwise dominate memory). Default 300. */
  maxStringChars?: number;
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACKET = 0x5b;

interface Header {
  meta: {
    node_fields: string[];
    node_types: [string[], ...unknown[]];
    edge_fields: string[];
    edge_types: [string[], ...unknown[]];
    location_fields?: string[];
  };
  node_count: number;
  edge_count: number;
}

type Section =
  | { kind: 'header'; text: string }
  | { kind: 'seekName'; text: string }
  | { kind: 'numbers'; target: Uint32Array | null; filled: number; value: number; inNumber: boolean }
  | { kind: 'skipNested'; depth: number; inString: boolean; escaped: boolean }
  | {
      kind: 'strings';
      inString: boolean;
      escaped: boolean;
      hasEscape: boolean;
      parts: Buffer[];
      keptBytes: number;
    }
  | { kind: 'done' };

/** Streams a `.heapsnapshot` file into typed arrays without ever holding its text or a JSON tree. */
export async function parseSnapshot(options: ParseSnapshotOptions): Promise<ParsedSnapshot> {
  const maxStringChars = options.maxStringChars ?? 300;
  const maxStringBytes = maxStringChars * 4;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(options.path, 'r');
  } catch (cause) {
    throw new LeakwatchError('HEAP_SNAPSHOT_UNREADABLE', `Cannot open heap snapshot ${options.path}.`, {
      hint: 'Check that the probe wrote the snapshot (v8.writeHeapSnapshot) and that the path is right.',
      cause,
    });
  }
  let result: ParsedSnapshot | undefined;
  let sectionName = '';
  let section: Section = { kind: 'header', text: '' };
  const strings: string[] = [];
  let idFieldOffset = 0;
  let nodeFieldCount = 1;

  const startSection = (name: string): Section => {
    sectionName = name;
    if (!result) throw malformed(options.path, 'no header before arrays');
    const r = result;
    if (name === 'strings') return options.detail === 'ids' ? skipNested() : stringSection();
    if (name === 'nodes') {
      const keep = options.detail !== 'ids';
      r.nodes = keep ? new Uint32Array(r.nodeCount * r.nodeFieldCount) : r.nodes;
      return { kind: 'numbers', target: keep ? r.nodes : null, filled: 0, value: 0, inNumber: false };
    }
    if (name === 'edges' && options.detail === 'full') {
      r.edges = new Uint32Array(r.edgeCount * r.edgeFieldCount);
      return { kind: 'numbers', target: r.edges, filled: 0, value: 0, inNumber: false };
    }
    if (name === 'locations' && options.detail === 'full') {
      return { kind: 'numbers', target: new Uint32Array(1024), filled: 0, value: 0, inNumber: false };
    }
    return skipNested();
  };

  const finishNumbers = (s: Extract<Section, { kind: 'numbers' }>): void => {
    if (!result) return;
    if (sectionName === 'nodes' && s.target && s.filled !== s.target.length) {
      throw malformed(options.path, `expected ${s.target.length} node fields, read ${s.filled}`);
    }
    if (sectionName === 'edges' && s.target && s.filled !== s.target.length) {
      throw malformed(options.path, `expected ${s.target.length} edge fields, read ${s.filled}`);
    }
    if (sectionName === 'locations' && s.target) result.locations = s.target.slice(0, s.filled);
  };

  const pushNumber = (s: Extract<Section, { kind: 'numbers' }>): void => {
    if (sectionName === 'nodes' && s.filled % nodeFieldCount === idFieldOffset && s.value & 1) {
      if (result && s.value > result.maxHeapObjectId) result.maxHeapObjectId = s.value;
    }
    if (s.target) {
      if (s.filled === s.target.length) {
        if (sectionName !== 'locations') throw malformed(options.path, `too many values in ${sectionName}`);
        const grown = new Uint32Array(s.target.length * 2);
        grown.set(s.target);
        s.target = grown;
      }
      s.target[s.filled] = s.value;
    }
    s.filled++;
  };

  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      let i = 0;
      while (i < chunk.length && section.kind !== 'done') {
        if (section.kind === 'header' || section.kind === 'seekName') {
          const open = chunk.indexOf(OPEN_BRACKET, i);
          const end = open === -1 ? chunk.length : open + 1;
          section.text += chunk.toString('latin1', i, end);
          i = end;
          if (open === -1) continue;
          const match = /"(\w+)"\s*:\s*\[$/.exec(section.text);
          if (!match) {
            if (section.kind === 'seekName') throw malformed(options.path, 'unexpected array');
            continue;
          }
          if (section.kind === 'header') {
            // The header itself holds arrays (node_fields, …); it ends where the nodes begin.
            if (match[1] !== 'nodes') continue;
            result = headerToSnapshot(section.text.slice(0, match.index), options.path);
            nodeFieldCount = result.nodeFieldCount;
            idFieldOffset = result.nodeField.id;
          }
          section = startSection(match[1] ?? '');
        } else if (section.kind === 'numbers') {
          const s = section;
          for (; i < chunk.length; i++) {
            const byte = chunk[i] as number;
            if (byte >= 0x30 && byte <= 0x39) {
              s.value = s.inNumber ? s.value * 10 + (byte - 0x30) : byte - 0x30;
              s.inNumber = true;
            } else {
              if (s.inNumber) pushNumber(s);
              s.inNumber = false;
              if (byte === CLOSE_BRACKET) {
                finishNumbers(s);
                i++;
                section = nextSection(sectionName, options.detail);
                break;
              }
            }
          }
        } else if (section.kind === 'skipNested') {
          const s = section;
          for (; i < chunk.length; i++) {
            const byte = chunk[i] as number;
            if (s.inString) {
              if (s.escaped) s.escaped = false;
              else if (byte === BACKSLASH) s.escaped = true;
              else if (byte === QUOTE) s.inString = false;
            } else if (byte === QUOTE) s.inString = true;
            else if (byte === OPEN_BRACKET) s.depth++;
            else if (byte === CLOSE_BRACKET && --s.depth === 0) {
              i++;
              section = nextSection(sectionName, options.detail);
              break;
            }
          }
        } else if (section.kind === 'strings') {
          const s = section;
          while (i < chunk.length) {
            if (!s.inString) {
              const quote = chunk.indexOf(QUOTE, i);
              const close = chunk.indexOf(CLOSE_BRACKET, i);
              if (close !== -1 && (quote === -1 || close < quote)) {
                i = close + 1;
                section = { kind: 'done' };
                break;
              }
              if (quote === -1) {
                i = chunk.length;
                break;
              }
              s.inString = true;
              s.hasEscape = false;
              s.escaped = false;
              s.parts = [];
              s.keptBytes = 0;
              i = quote + 1;
            }
            const start = i;
            for (; i < chunk.length; i++) {
              const byte = chunk[i] as number;
              if (s.escaped) s.escaped = false;
              else if (byte === BACKSLASH) {
                s.escaped = true;
                s.hasEscape = true;
              } else if (byte === QUOTE) break;
            }
            const take = Math.min(i, start + Math.max(0, maxStringBytes - s.keptBytes));
            const isComplete = i < chunk.length;
            if (isComplete && s.parts.length === 0) {
              strings.push(decodeJsonString(chunk.subarray(start, take), s.hasEscape, maxStringChars));
            } else {
              if (take > start) s.parts.push(Buffer.from(chunk.subarray(start, take)));
              s.keptBytes += take - start;
              if (isComplete)
                strings.push(decodeJsonString(Buffer.concat(s.parts), s.hasEscape, maxStringChars));
            }
            if (isComplete) {
              s.inString = false;
              i++;
            }
          }
        }
      }
      if (section.kind === 'done') break;
    }
  } finally {
    await handle.close();
  }
  if (!result) throw malformed(options.path, 'no snapshot header');
  if (options.detail !== 'ids' && section.kind !== 'done') throw malformed(options.path, 'file ends early');
  result.strings = strings;
  return result;
}

function nextSection(previous: string, detail: SnapshotDetail): Section {
  // Snapshot 1 only needs ids, so reading stops once the nodes are done.
  if (previous === 'nodes' && detail === 'ids') return { kind: 'done' };
  return { kind: 'seekName', text: '' };
}

function skipNested(): Section {
  return { kind: 'skipNested', depth: 1, inString: false, escaped: false };
}

function stringSection(): Section {
  return { kind: 'strings', inString: false, escaped: false, hasEscape: false, parts: [], keptBytes: 0 };
}

function decodeJsonString(bytes: Buffer, hasEscape: boolean, maxChars: number): string {
  let text = bytes.toString('utf8');
  if (hasEscape) {
    try {
      text = JSON.parse(`"${text}"`) as string;
    } catch {
      // A cut made mid-escape: drop the broken tail rather than the whole name.
      const cut = text.lastIndexOf('\\');
      try {
        text = JSON.parse(`"${text.slice(0, cut)}"`) as string;
      } catch {
        // keep the raw text
      }
    }
  }
  // Flattening matters: a slice of a long string would keep the whole source text alive.
  return text.length > maxChars ? Buffer.from(text.slice(0, maxChars)).toString() : text;
}

function headerToSnapshot(text: string, path: string): ParsedSnapshot {
  let header: Header;
  try {
    const json = JSON.parse(`${text.trim().replace(/,$/, '')}}`) as { snapshot: Header };
    header = json.snapshot;
  } catch (cause) {
    throw malformed(path, 'header is not JSON', cause);
  }
  const { meta } = header;
  const nodeIndex = (name: string): number => fieldIndex(meta.node_fields, name, path);
  const edgeIndex = (name: string): number => fieldIndex(meta.edge_fields, name, path);
  return {
    nodeFieldCount: meta.node_fields.length,
    edgeFieldCount: meta.edge_fields.length,
    nodeTypeNames: meta.node_types[0],
    edgeTypeNames: meta.edge_types[0],
    nodeField: {
      type: nodeIndex('type'),
      name: nodeIndex('name'),
      id: nodeIndex('id'),
      selfSize: nodeIndex('self_size'),
      edgeCount: nodeIndex('edge_count'),
    },
    edgeField: {
      type: edgeIndex('type'),
      nameOrIndex: edgeIndex('name_or_index'),
      toNode: edgeIndex('to_node'),
    },
    nodeCount: header.node_count,
    edgeCount: header.edge_count,
    nodes: new Uint32Array(0),
    edges: new Uint32Array(0),
    locations: new Uint32Array(0),
    strings: [],
    maxHeapObjectId: 0,
  };
}

function fieldIndex(fields: string[], name: string, path: string): number {
  const index = fields.indexOf(name);
  if (index === -1) throw malformed(path, `no "${name}" field in meta`);
  return index;
}

function malformed(path: string, detail: string, cause?: unknown): LeakwatchError {
  return new LeakwatchError('HEAP_SNAPSHOT_MALFORMED', `Heap snapshot ${path} is not readable: ${detail}.`, {
    hint: 'The file may be truncated (the app exited or ran out of disk while writing it). Take the snapshot again.',
    cause,
  });
}
