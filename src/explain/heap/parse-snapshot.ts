import { type FileHandle, open } from 'node:fs/promises';
import { LeakwatchError } from '../../settings/errors.js';
import {
  FlatArraySkipper,
  NestedArraySkipper,
  NumberArrayReader,
  StringArrayReader,
} from './snapshot-scanners.js';

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
  /** Strings are kept up to this many characters (script sources would otherwise dominate memory); long enough for deep pnpm paths. Default 1024. */
  maxStringChars?: number;
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const OPEN_BRACKET = 0x5b;

interface Header {
  meta: {
    node_fields: string[];
    node_types: [string[], ...unknown[]];
    edge_fields: string[];
    edge_types: [string[], ...unknown[]];
  };
  node_count: number;
  edge_count: number;
}

type ArrayReader = NumberArrayReader | FlatArraySkipper | NestedArraySkipper | StringArrayReader;
const FLAT_NUMBER_ARRAYS = new Set(['nodes', 'edges', 'trace_function_infos', 'samples', 'locations']);

/** Streams a `.heapsnapshot` file into typed arrays without ever holding its text or a JSON tree. */
export async function parseSnapshot(options: ParseSnapshotOptions): Promise<ParsedSnapshot> {
  const handle = await openSnapshot(options.path);
  const sections = new SnapshotSections(options);
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    while (!sections.isDone) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      sections.feed(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return sections.finished();
}

async function openSnapshot(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (cause) {
    throw new LeakwatchError('HEAP_SNAPSHOT_UNREADABLE', `Cannot open heap snapshot ${path}.`, {
      hint: 'Check that the probe wrote the snapshot (v8.writeHeapSnapshot) and that the path is right.',
      cause,
    });
  }
}

/**
 * The file's top-level sections, fed chunk by chunk: the header's JSON text, then each array, handed to the
 * reader its section and detail need (a typed array, a string list, or a skipper).
 */
class SnapshotSections {
  isDone = false;
  private snapshot: ParsedSnapshot | undefined;
  private sectionName = '';
  /** Text between arrays (the header, or a `"name":[` split across chunks). */
  private pendingText = '';
  private reader: ArrayReader | undefined;

  constructor(private readonly options: ParseSnapshotOptions) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.isDone) {
      if (this.reader === undefined) {
        const bracket = chunk.indexOf(OPEN_BRACKET, i);
        const end = bracket === -1 ? chunk.length : bracket + 1;
        this.pendingText += chunk.toString('latin1', i, end);
        i = end;
        const match = bracket === -1 ? null : /"(\w+)"\s*:\s*\[$/.exec(this.pendingText);
        // The header itself holds arrays (node_fields, …); it ends where the nodes begin.
        if (match === null || (this.snapshot === undefined && match[1] !== 'nodes')) continue;
        this.snapshot ??= headerToSnapshot(this.pendingText.slice(0, match.index), this.options.path);
        this.reader = this.startArray(match[1] ?? '', this.snapshot);
        this.pendingText = '';
        continue;
      }
      const end = readArray(this.reader, chunk, i, this.options.path, this.sectionName);
      if (end === -1) return;
      this.finishArray(this.reader, this.snapshot as ParsedSnapshot);
      this.reader = undefined;
      i = end;
    }
  }

  finished(): ParsedSnapshot {
    if (!this.snapshot || !this.isDone) throw malformed(this.options.path, 'the file ends early');
    return this.snapshot;
  }

  private startArray(name: string, snapshot: ParsedSnapshot): ArrayReader {
    const { detail } = this.options;
    this.sectionName = name;
    if (name === 'nodes') {
      if (detail !== 'ids') snapshot.nodes = new Uint32Array(snapshot.nodeCount * snapshot.nodeFieldCount);
      return new NumberArrayReader(
        detail === 'ids' ? null : snapshot.nodes,
        false,
        snapshot.nodeFieldCount,
        snapshot.nodeField.id,
      );
    }
    if (name === 'edges' && detail === 'full') {
      snapshot.edges = new Uint32Array(snapshot.edgeCount * snapshot.edgeFieldCount);
      return new NumberArrayReader(snapshot.edges, false);
    }
    if (name === 'locations' && detail === 'full') return new NumberArrayReader(new Uint32Array(4096), true);
    if (name === 'strings' && detail !== 'ids')
      return new StringArrayReader(this.options.maxStringChars ?? 1024);
    return FLAT_NUMBER_ARRAYS.has(name) ? new FlatArraySkipper() : new NestedArraySkipper();
  }

  private finishArray(finished: ArrayReader, snapshot: ParsedSnapshot): void {
    const { path } = this.options;
    if (finished instanceof StringArrayReader) {
      snapshot.strings = finished.strings;
      this.isDone = true;
    }
    if (!(finished instanceof NumberArrayReader)) return;
    if (this.sectionName === 'nodes') {
      snapshot.maxHeapObjectId = finished.maxOddId;
      if (finished.filled !== snapshot.nodeCount * snapshot.nodeFieldCount)
        throw malformed(path, 'node count differs from the header');
      // Snapshot 1 only needs ids, so reading stops once the nodes are done.
      if (this.options.detail === 'ids') this.isDone = true;
    }
    if (this.sectionName === 'edges' && finished.target && finished.filled !== finished.target.length) {
      throw malformed(path, 'edge count differs from the header');
    }
    if (this.sectionName === 'locations' && finished.target)
      snapshot.locations = finished.target.slice(0, finished.filled);
  }
}

function readArray(
  reader: ArrayReader,
  chunk: Buffer,
  from: number,
  path: string,
  sectionName: string,
): number {
  try {
    return reader.read(chunk, from);
  } catch (cause) {
    throw malformed(path, `${sectionName}: ${String(cause)}`, cause);
  }
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
