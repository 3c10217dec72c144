// Heap-diff rows for people: V8's internal buckets (contexts, property arrays, strings, element stores) are
// folded into the object that holds them, each row is owned by the package that defines or holds it, and
// files read relative to the app (never the runner's temp checkout).

import { packageOfFile } from '../explain/heap/attribute-packages.js';
import { displayFile } from '../explain/heap/retainer-path.js';
import type { HeapGrowthRow } from '../model/report.js';

export const MAX_HEAP_ROWS = 5;

export interface RetainerHop {
  /** `Map`, `wrap()`, `(anonymous)()`. */
  name: string;
  /** The property or variable that leads to the next hop, e.g. `defaultsByInstance`. */
  edge: string | null;
  file: string | null;
}

export interface PersonRow {
  /** `wrap()` for functions, `anonymous function` for V8's `(closure)` bucket. */
  name: string;
  objectsPerRequest: number;
  /** Own bytes plus the folded V8 internals it holds. */
  bytesPerRequest: number;
  retainedBytesPerRequest: number | null;
  /** `app`, or the npm package that defines it (else the closest package holding it). */
  owner: string;
  isOwnerBumped: boolean;
  definedIn: string | null;
  /** From the root (or the first hop shown) to the object, files relative to the app. */
  path: RetainerHop[];
}

export interface FoldedHeap {
  rows: PersonRow[];
  /** Bytes per request of V8 internals with no shown owner, and of rows beyond the shown ones. */
  internalBytesPerRequest: number;
  hiddenRows: number;
  hiddenBytesPerRequest: number;
}

const INTERNAL_NAME = /^(system \/ |\((?!closure\))[^)]*\)$)/;
const INTERNAL_TYPES = new Set(['hidden', 'array', 'string', 'concatenated string', 'sliced string', 'code']);

export function isV8Internal(row: Pick<HeapGrowthRow, 'name' | 'nodeType'>): boolean {
  if (row.nodeType === 'closure') return false;
  return INTERNAL_NAME.test(row.name) || (INTERNAL_TYPES.has(row.nodeType) && row.name.startsWith('('));
}

/** A path as written by formatRetainerPath, `A (edge) in file → B`, back into hops. */
export function parseRetainerPath(path: string | null): RetainerHop[] {
  if (!path) return [];
  return path.split(' → ').map((part) => {
    let rest = part.replace(/ ×\d+$/, '');
    let file: string | null = null;
    const fileAt = rest.lastIndexOf(' in ');
    if (fileAt > 0 && !rest.slice(fileAt + 4).includes(' ')) {
      file = rest.slice(fileAt + 4);
      rest = rest.slice(0, fileAt);
    }
    const edgeMatch = /^(.+?) \((.*)\)$/.exec(rest);
    return edgeMatch?.[1] && edgeMatch[2] !== undefined
      ? { name: edgeMatch[1], edge: edgeMatch[2], file }
      : { name: rest, edge: null, file };
  });
}

/** A file relative to the app: `node_modules/axios/lib/x.js`, `server.js`; runner temp folders are cut. */
export function relativeToApp(file: string, appDir: string): string {
  const shown = displayFile(file, appDir);
  const temp = /(?:^|\/)leakwatch-(?:base|head)-[^/]+\/(.*)$/.exec(shown);
  return temp?.[1] ?? shown;
}

function rowName(row: HeapGrowthRow): string {
  if (row.nodeType !== 'closure') return row.name;
  return row.name === '(closure)' ? 'anonymous function' : `${row.name}()`;
}

function ownerOf(row: HeapGrowthRow, definedIn: string | null): string {
  const defining = definedIn ? packageOfFile(definedIn) : undefined;
  if (defining) return defining;
  if (definedIn) return 'app';
  return row.packages[0] ?? 'app';
}

function toPersonRow(row: HeapGrowthRow, appDir: string, bumped: ReadonlySet<string>): PersonRow {
  const definedIn = row.sourceFile ? relativeToApp(row.sourceFile, appDir) : null;
  const owner = ownerOf(row, definedIn);
  return {
    name: rowName(row),
    objectsPerRequest: row.objectsPerRequest,
    bytesPerRequest: row.bytesPerRequest,
    retainedBytesPerRequest: row.retainedBytesPerRequest,
    owner,
    isOwnerBumped: bumped.has(owner),
    definedIn,
    path: parseRetainerPath(row.retainerPath),
  };
}

/** The user row an internal row belongs to: the nearest hop of its path that names a shown row. */
function ownerRow(internal: HeapGrowthRow, rows: PersonRow[]): PersonRow | undefined {
  const hops = parseRetainerPath(internal.retainerPath).reverse();
  for (const hop of hops) {
    const name = hop.name === '(anonymous)()' ? 'anonymous function' : hop.name;
    const match = rows.find((row) => row.name === name);
    if (match) return match;
  }
  return undefined;
}

/** At most `maxRows` user-meaningful rows, largest first, with V8 internals folded into their owners. */
export function foldHeapRows(
  growing: HeapGrowthRow[],
  options: { appDir: string; bumpedPackages: readonly string[]; maxRows?: number },
): FoldedHeap {
  const bumped = new Set(options.bumpedPackages);
  const users = growing
    .filter((row) => !isV8Internal(row))
    .map((row) => toPersonRow(row, options.appDir, bumped));
  let internalBytesPerRequest = 0;
  for (const internal of growing.filter(isV8Internal)) {
    const owner = ownerRow(internal, users);
    if (owner) owner.bytesPerRequest += internal.bytesPerRequest;
    else internalBytesPerRequest += internal.bytesPerRequest;
  }
  users.sort((a, b) => b.bytesPerRequest - a.bytesPerRequest);
  const maxRows = options.maxRows ?? MAX_HEAP_ROWS;
  const hidden = users.slice(maxRows);
  return {
    rows: users.slice(0, maxRows),
    internalBytesPerRequest,
    hiddenRows: hidden.length,
    hiddenBytesPerRequest: hidden.reduce((sum, row) => sum + row.bytesPerRequest, 0),
  };
}
