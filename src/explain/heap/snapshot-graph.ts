import type { ParsedSnapshot } from './parse-snapshot.js';

/** Read-only views over a fully parsed snapshot: node names, edges by name, source files. */
export interface SnapshotGraph {
  snapshot: ParsedSnapshot;
  /** Index into `edges` of each node's first edge; `nodeCount + 1` entries. */
  firstEdge: Uint32Array;
  typeOf(node: number): string;
  nameOf(node: number): string;
  idOf(node: number): number;
  selfSizeOf(node: number): number;
  edgeTypeOf(edge: number): string;
  /** Property/context names as strings, element and hidden edges as their index. */
  edgeNameOf(edge: number): string;
  targetOf(edge: number): number;
  findEdgeTarget(node: number, edgeName: string): number | undefined;
  /** The file a closure, or an object's class, was defined in, when the snapshot says so. */
  sourceFileOf(node: number): string | undefined;
}

const NUMERIC_EDGE_TYPES = new Set(['element', 'hidden']);
const MAX_SHAPE_CHAIN = 64;

export function createSnapshotGraph(snapshot: ParsedSnapshot): SnapshotGraph {
  const { nodes, edges, strings, nodeFieldCount, edgeFieldCount, nodeField, edgeField } = snapshot;
  const firstEdge = new Uint32Array(snapshot.nodeCount + 1);
  let edgeCursor = 0;
  for (let node = 0; node < snapshot.nodeCount; node++) {
    firstEdge[node] = edgeCursor;
    edgeCursor += (nodes[node * nodeFieldCount + nodeField.edgeCount] as number) * edgeFieldCount;
  }
  firstEdge[snapshot.nodeCount] = edgeCursor;

  const typeOf = (node: number): string =>
    snapshot.nodeTypeNames[nodes[node * nodeFieldCount + nodeField.type] as number] ?? 'unknown';
  const nameOf = (node: number): string =>
    strings[nodes[node * nodeFieldCount + nodeField.name] as number] ?? '';
  const edgeTypeOf = (edge: number): string =>
    snapshot.edgeTypeNames[edges[edge + edgeField.type] as number] ?? 'unknown';
  const edgeNameOf = (edge: number): string => {
    const raw = edges[edge + edgeField.nameOrIndex] as number;
    return NUMERIC_EDGE_TYPES.has(edgeTypeOf(edge)) ? String(raw) : (strings[raw] ?? '');
  };
  const targetOf = (edge: number): number => (edges[edge + edgeField.toNode] as number) / nodeFieldCount;

  const findEdgeTarget = (node: number, edgeName: string): number | undefined => {
    for (
      let edge = firstEdge[node] as number;
      edge < (firstEdge[node + 1] as number);
      edge += edgeFieldCount
    ) {
      if (edgeTypeOf(edge) !== 'element' && edgeNameOf(edge) === edgeName) return targetOf(edge);
    }
    return undefined;
  };

  const scriptNameOfClosure = (closure: number): string | undefined => {
    const shared = findEdgeTarget(closure, 'shared');
    if (shared === undefined) return undefined;
    // V8 renamed the field over versions; Node 20 says script_or_debug_info.
    const script = findEdgeTarget(shared, 'script_or_debug_info') ?? findEdgeTarget(shared, 'script');
    if (script === undefined) return undefined;
    const nameNode = findEdgeTarget(script, 'name');
    const name = nameNode !== undefined && typeOf(nameNode) === 'string' ? nameOf(nameNode) : nameOf(script);
    return name === '' || name.startsWith('system /') ? undefined : name;
  };

  const constructorOf = (object: number): number | undefined => {
    let shape = findEdgeTarget(object, 'map');
    for (let step = 0; shape !== undefined && step < MAX_SHAPE_CHAIN; step++) {
      const classFunction = findEdgeTarget(shape, 'constructor');
      if (classFunction !== undefined) return typeOf(classFunction) === 'closure' ? classFunction : undefined;
      shape = findEdgeTarget(shape, 'back_pointer');
    }
    return undefined;
  };

  const sourceFileOf = (node: number): string | undefined => {
    const type = typeOf(node);
    if (type === 'closure') return scriptNameOfClosure(node);
    if (type !== 'object') return undefined;
    const classFunction = constructorOf(node);
    return classFunction === undefined ? undefined : scriptNameOfClosure(classFunction);
  };

  return {
    snapshot,
    firstEdge,
    typeOf,
    nameOf,
    idOf: (node) => nodes[node * nodeFieldCount + nodeField.id] as number,
    selfSizeOf: (node) => nodes[node * nodeFieldCount + nodeField.selfSize] as number,
    edgeTypeOf,
    edgeNameOf,
    targetOf,
    findEdgeTarget,
    sourceFileOf,
  };
}
