import type { SnapshotGraph } from './snapshot-graph.js';

/** One hop of a cleaned retainer path, from a GC root towards the sample object. */
export interface RetainerStep {
  /** Constructor or node name; closures keep their function name. */
  name: string;
  nodeType: string;
  /** Property, variable or `[index]` through which the previous step holds this one, when it has a name. */
  edgeName?: string;
  /** Module file of the closure, of the class, or of the closure whose scope holds this variable. */
  file?: string;
  /** Held by a variable of a function or module scope (`edgeName` is the variable). */
  isScopeVariable?: boolean;
  /** How many times this hop repeats in a row (a linked list, a deep tree), when more than once. */
  repeatCount?: number;
}

export interface RetainerPath {
  /** The GC root category the path starts from, such as `(Stack roots)` or `(Global handles)`. */
  root: string;
  steps: RetainerStep[];
  /** Steps left out after the first 100 of a path too long to keep whole, even with repeats folded. */
  elidedStepCount?: number;
}

// Steps kept at each end of a path that is still long after repeats are folded (say a list of
// alternating node types): the end at the root names the holder, the end at the sample what is held.
const KEPT_STEPS_EACH_END = 100;

/** Shortest strong paths from the root to every node, as the edge that first reached each node. */
export interface RootDistances {
  parentEdge: Int32Array;
  parentNode: Int32Array;
}

const VISIBLE_TYPES = new Set([
  'object',
  'closure',
  'regexp',
  'native',
  'string',
  'concatenated string',
  'sliced string',
  'number',
  'symbol',
  'bigint',
]);
const NAMED_EDGE_TYPES = new Set(['property', 'context', 'element']);
const INTERNAL_ROOTS = new Set(['(Handle scope)', '(Strong roots)']);

/**
 * Breadth-first search from the snapshot root. Weak edges never retain. The first pass also avoids
 * hidden classes and code objects, whose paths (map → constructor, feedback vectors) are true but say
 * nothing to a reader; the edge V8 draws from a WeakMap key to its value: the value lives while both
 * key and map do, and the map's path is the one that names the WeakMap; and handle scopes, the handles native
 * code holds only while the snapshot is taken, and V8's own strong roots (caches that point straight at an object
and skip the variable that holds it). Nodes only reachable those ways get their path from a second,
 * unfiltered pass.
 */
export function findRootDistances(graph: SnapshotGraph): RootDistances {
  const { snapshot, firstEdge } = graph;
  const { nodes, edges, nodeFieldCount, edgeFieldCount, nodeField, edgeField } = snapshot;
  const weakType = snapshot.edgeTypeNames.indexOf('weak');
  const internalType = snapshot.edgeTypeNames.indexOf('internal');
  const noisyTypes = new Set(['object shape', 'code'].map((name) => snapshot.nodeTypeNames.indexOf(name)));
  const keyIdOfEphemeronEdge = ephemeronKeyIds(snapshot.strings);
  const internalRoots = new Set<number>();
  for (let node = 0; node < snapshot.nodeCount; node++) {
    if (graph.typeOf(node) === 'synthetic' && INTERNAL_ROOTS.has(graph.nameOf(node))) internalRoots.add(node);
  }
  const parentEdge = new Int32Array(snapshot.nodeCount).fill(-1);
  const parentNode = new Int32Array(snapshot.nodeCount).fill(-1);
  const queue = new Uint32Array(snapshot.nodeCount);
  const isQueued = new Uint8Array(snapshot.nodeCount);
  const isDeferred = new Uint8Array(snapshot.nodeCount);
  const deferred: number[] = [];
  const defer = (node: number): void => {
    if (isDeferred[node]) return;
    isDeferred[node] = 1;
    deferred.push(node);
  };
  const isKeyToValueEdge = (node: number, edge: number): boolean =>
    edges[edge + edgeField.type] === internalType &&
    keyIdOfEphemeronEdge.get(edges[edge + edgeField.nameOrIndex] as number) === graph.idOf(node);

  const search = (isFiltered: boolean, seeds: number[]): void => {
    let head = 0;
    let tail = 0;
    for (const seed of seeds) queue[tail++] = seed;
    while (head < tail) {
      const node = queue[head++] as number;
      if (
        isFiltered &&
        node !== 0 &&
        (noisyTypes.has(nodes[node * nodeFieldCount + nodeField.type] as number) || internalRoots.has(node))
      ) {
        defer(node);
        continue;
      }
      for (
        let edge = firstEdge[node] as number;
        edge < (firstEdge[node + 1] as number);
        edge += edgeFieldCount
      ) {
        if (edges[edge + edgeField.type] === weakType) continue;
        const target = (edges[edge + edgeField.toNode] as number) / nodeFieldCount;
        if (isQueued[target]) continue;
        if (isFiltered && isKeyToValueEdge(node, edge)) {
          defer(node);
          continue;
        }
        isQueued[target] = 1;
        parentEdge[target] = edge;
        parentNode[target] = node;
        queue[tail++] = target;
      }
    }
  };

  isQueued[0] = 1;
  search(true, [0]);
  search(false, deferred);
  return { parentEdge, parentNode };
}

/**
 * V8 names both edges to a WeakMap value `<index> / part of key (<Key> @<id>) -> value (…) pair in WeakMap
 * (table @<id>)`: one from the map's table, one from the key. By string index, the key's node id.
 */
function ephemeronKeyIds(strings: readonly string[]): Map<number, number> {
  const keyIds = new Map<number, number>();
  strings.forEach((text, index) => {
    if (!text.includes('part of key')) return;
    const match = / \/ part of key \(.* @(\d+)\) -> value \(/.exec(text);
    if (match) keyIds.set(index, Number(match[1]));
  });
  return keyIds;
}

export function retainerPathOf(
  graph: SnapshotGraph,
  distances: RootDistances,
  sample: number,
): RetainerPath | undefined {
  const chain: number[] = [];
  for (let node = sample; node > 0; node = distances.parentNode[node] as number) {
    if ((distances.parentEdge[node] as number) < 0) return undefined;
    chain.push(node);
  }
  chain.reverse();

  let root = '(root)';
  const steps: RetainerStep[] = [];
  // A scope (Context) does not link to its function; the last closure, or generator of an ES module,
  // on the way to it is where it comes from.
  let scopeOwnerFile: string | undefined;
  for (const node of chain) {
    const edge = distances.parentEdge[node] as number;
    const type = graph.typeOf(node);
    const name = graph.nameOf(node);
    if (type === 'synthetic') {
      if (steps.length === 0 && name !== '(GC roots)') root = name;
      continue;
    }
    const ownFile = type === 'closure' || type === 'object' ? graph.sourceFileOf(node) : undefined;
    const enclosingFile = scopeOwnerFile;
    if (ownFile !== undefined) scopeOwnerFile = ownFile;
    if (!VISIBLE_TYPES.has(type) || name.startsWith('system /')) continue;
    const step: RetainerStep = { name: displayName(type, name), nodeType: type };
    const edgeType = graph.edgeTypeOf(edge);
    if (NAMED_EDGE_TYPES.has(edgeType)) {
      step.edgeName = edgeType === 'element' ? `[${graph.edgeNameOf(edge)}]` : graph.edgeNameOf(edge);
    }
    const isScopeVariable = edgeType === 'context' && enclosingFile !== undefined;
    const file = isScopeVariable ? enclosingFile : ownFile;
    if (file !== undefined) step.file = file;
    if (isScopeVariable) step.isScopeVariable = true;
    const previous = steps[steps.length - 1];
    if (previous !== undefined && isSameHop(previous, step))
      previous.repeatCount = (previous.repeatCount ?? 1) + 1;
    else steps.push(step);
  }
  if (steps.length <= 2 * KEPT_STEPS_EACH_END) return { root, steps };
  const elidedStepCount = steps.length - 2 * KEPT_STEPS_EACH_END;
  steps.splice(KEPT_STEPS_EACH_END, elidedStepCount);
  return { root, steps, elidedStepCount };
}

function isSameHop(a: RetainerStep, b: RetainerStep): boolean {
  return (
    a.name === b.name &&
    a.nodeType === b.nodeType &&
    a.edgeName === b.edgeName &&
    a.file === b.file &&
    a.isScopeVariable === b.isScopeVariable
  );
}

function displayName(type: string, name: string): string {
  if (type === 'closure') return `${name || '(anonymous)'}()`;
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return '(string)';
  if (type === 'number') return '(number)';
  return name || `(${type})`;
}

/** Renders `Map (defaultsByInstance) in node_modules/lib/x.js → LeakyClient`, keeping the last `maxSteps` hops. */
export function formatRetainerPath(
  path: RetainerPath,
  options: { appRoot?: string; maxSteps?: number } = {},
): string {
  const maxSteps = options.maxSteps ?? 6;
  const shown = path.steps.slice(-maxSteps);
  const parts = shown.length < path.steps.length ? ['…'] : [path.root];
  // A file is said once per run of steps from the same file: on the variable that holds the objects when
  // there is one (that is where a reader looks for the leak), else where the run starts.
  const saysFile = shown.map(() => false);
  for (let start = 0; start < shown.length; ) {
    let end = start;
    while (end + 1 < shown.length && shown[end + 1]?.file === shown[start]?.file) end++;
    const run = shown.slice(start, end + 1);
    const holder = run.findIndex((step) => step.isScopeVariable);
    if (shown[start]?.file !== undefined) saysFile[start + Math.max(0, holder)] = true;
    start = end + 1;
  }
  shown.forEach((step, index) => {
    const isEdgeNameNews = step.edgeName !== undefined && `${step.edgeName}()` !== step.name;
    let text = isEdgeNameNews ? `${step.name} (${step.edgeName})` : step.name;
    if (saysFile[index] && step.file !== undefined) text += ` in ${displayFile(step.file, options.appRoot)}`;
    if (step.repeatCount !== undefined) text += ` ×${step.repeatCount}`;
    parts.push(text);
  });
  return parts.join(' → ');
}

/** Shortens a script name to `node_modules/<pkg>/…` or a path relative to the app. */
export function displayFile(file: string, appRoot?: string): string {
  const path = file.startsWith('file://') ? decodeURIComponent(file.slice('file://'.length)) : file;
  const modules = path.lastIndexOf('node_modules/');
  if (modules !== -1) return path.slice(modules);
  if (appRoot !== undefined && path.startsWith(`${appRoot.replace(/\/$/, '')}/`))
    return path.slice(appRoot.replace(/\/$/, '').length + 1);
  return path;
}
