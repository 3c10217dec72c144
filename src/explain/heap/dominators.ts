import type { SnapshotGraph } from './snapshot-graph.js';

export interface Dominators {
  /** Immediate dominator of each node (node index); -1 for the root and for nodes no strong path reaches. */
  immediateDominator: Int32Array;
  /**
   * Bytes freed if the node were collected: its own size plus all it alone keeps alive. With `countedAboveId`
   * set, only V8 heap objects (odd ids) above it count: those created since.
   */
  retainedBytes: Float64Array;
}

/**
 * Dominator tree and retained sizes with the Lengauer–Tarjan algorithm (path compression), over strong
 * edges only. The iterative algorithm of Cooper, Harvey and Kennedy was used before and went quadratic on
 * long linked lists: every node of the list points at one hidden class, and each intersection for that
 * class walked the whole list. Everything lives in typed arrays sized by node and edge count, and nothing
 * recurses, so lists of millions of nodes need neither a deep stack nor more than linear memory.
 */
export function computeDominators(graph: SnapshotGraph, countedAboveId = 0): Dominators {
  const { snapshot } = graph;
  const { nodes, nodeCount, nodeFieldCount, nodeField } = snapshot;
  const { nodeAt, treeParent, firstRetainer, retainers, spare } = depthFirstOrder(graph);
  const reachedCount = treeParent.length;

  // Semidominators from the last preorder number down, with a link-eval forest (path compression);
  // buckets are linked lists: each vertex waits in exactly one.
  const semi = new Int32Array(reachedCount);
  const label = new Int32Array(reachedCount);
  const ancestor = new Int32Array(reachedCount).fill(-1);
  const dominator = new Int32Array(reachedCount);
  const bucketHead = new Int32Array(reachedCount).fill(-1);
  // The search's stacks are free now; reusing them keeps peak memory down on snapshots of millions of nodes.
  const bucketNext = new Int32Array(spare[0].buffer, 0, reachedCount);
  const path = new Int32Array(spare[1].buffer, 0, reachedCount);
  for (let v = 0; v < reachedCount; v++) {
    semi[v] = v;
    label[v] = v;
  }
  const evaluate = (v: number): number => {
    if (ancestor[v] === -1) return v;
    let length = 0;
    for (let u = v; ancestor[ancestor[u] as number] !== -1; u = ancestor[u] as number) path[length++] = u;
    // Compress from the vertex nearest the forest root down, so each reads an already compressed ancestor.
    while (length > 0) {
      const u = path[--length] as number;
      const up = ancestor[u] as number;
      if ((semi[label[up] as number] as number) < (semi[label[u] as number] as number))
        label[u] = label[up] as number;
      ancestor[u] = ancestor[up] as number;
    }
    return label[v] as number;
  };
  for (let w = reachedCount - 1; w > 0; w--) {
    for (let r = firstRetainer[w] as number; r < (firstRetainer[w + 1] as number); r++) {
      const u = evaluate(retainers[r] as number);
      if ((semi[u] as number) < (semi[w] as number)) semi[w] = semi[u] as number;
    }
    const semiOfW = semi[w] as number;
    bucketNext[w] = bucketHead[semiOfW] as number;
    bucketHead[semiOfW] = w;
    const parent = treeParent[w] as number;
    ancestor[w] = parent;
    for (let v = bucketHead[parent] as number; v !== -1; v = bucketNext[v] as number) {
      const u = evaluate(v);
      dominator[v] = (semi[u] as number) < (semi[v] as number) ? u : parent;
    }
    bucketHead[parent] = -1;
  }
  for (let w = 1; w < reachedCount; w++) {
    if (dominator[w] !== semi[w]) dominator[w] = dominator[dominator[w] as number] as number;
  }

  const immediateDominator = new Int32Array(nodeCount).fill(-1);
  // Summed by preorder number (a dominator's is lower than those of the nodes it dominates, so children
  // come first), then moved to node indices.
  const sums = new Float64Array(reachedCount);
  for (let v = 0; v < reachedCount; v++) {
    const offset = (nodeAt[v] as number) * nodeFieldCount;
    const id = nodes[offset + nodeField.id] as number;
    if (countedAboveId === 0 || (id > countedAboveId && (id & 1) === 1))
      sums[v] = nodes[offset + nodeField.selfSize] as number;
  }
  for (let v = reachedCount - 1; v > 0; v--) {
    const parent = dominator[v] as number;
    sums[parent] = (sums[parent] as number) + (sums[v] as number);
    immediateDominator[nodeAt[v] as number] = nodeAt[parent] as number;
  }
  const retainedBytes = new Float64Array(nodeCount);
  for (let v = 0; v < reachedCount; v++) retainedBytes[nodeAt[v] as number] = sums[v] as number;
  return { immediateDominator, retainedBytes };
}

interface DepthFirstOrder {
  /** Node index at each preorder number. */
  nodeAt: Uint32Array;
  /** Preorder number of each reached node's parent in the search tree; its length is the reached count. */
  treeParent: Int32Array;
  /** Strong predecessors of each preorder number, as preorder numbers, in compressed row storage. */
  firstRetainer: Uint32Array;
  retainers: Uint32Array;
  /** The search's stacks, free for reuse. */
  spare: [Uint32Array, Uint32Array];
}

/** Iterative depth-first search from the root over strong edges, and the predecessors in its numbering. */
function depthFirstOrder(graph: SnapshotGraph): DepthFirstOrder {
  const { snapshot, firstEdge } = graph;
  const { edges, nodeCount, nodeFieldCount, edgeFieldCount, edgeField } = snapshot;
  const weakType = snapshot.edgeTypeNames.indexOf('weak');
  const isStrong = (edge: number): boolean => edges[edge + edgeField.type] !== weakType;
  const targetOf = (edge: number): number => (edges[edge + edgeField.toNode] as number) / nodeFieldCount;

  const preorderOf = new Int32Array(nodeCount).fill(-1);
  const nodeAt = new Uint32Array(nodeCount);
  const treeParent = new Int32Array(nodeCount);
  const stackNode = new Uint32Array(nodeCount);
  const stackEdge = new Uint32Array(nodeCount);
  let reachedCount = 0;
  let depth = 0;
  stackNode[0] = 0;
  stackEdge[0] = firstEdge[0] as number;
  preorderOf[0] = reachedCount;
  nodeAt[reachedCount++] = 0;
  while (depth >= 0) {
    const node = stackNode[depth] as number;
    const edge = stackEdge[depth] as number;
    if (edge >= (firstEdge[node + 1] as number)) {
      depth--;
      continue;
    }
    stackEdge[depth] = edge + edgeFieldCount;
    const target = targetOf(edge);
    if (!isStrong(edge) || preorderOf[target] !== -1) continue;
    treeParent[reachedCount] = preorderOf[node] as number;
    preorderOf[target] = reachedCount;
    nodeAt[reachedCount++] = target;
    depth++;
    stackNode[depth] = target;
    stackEdge[depth] = firstEdge[target] as number;
  }

  const firstRetainer = new Uint32Array(reachedCount + 1);
  const forEachStrongTarget = (visit: (from: number, to: number) => void): void => {
    for (let from = 0; from < reachedCount; from++) {
      const node = nodeAt[from] as number;
      for (
        let edge = firstEdge[node] as number;
        edge < (firstEdge[node + 1] as number);
        edge += edgeFieldCount
      ) {
        if (isStrong(edge)) visit(from, preorderOf[targetOf(edge)] as number);
      }
    }
  };
  forEachStrongTarget((_from, to) => {
    firstRetainer[to + 1] = (firstRetainer[to + 1] as number) + 1;
  });
  for (let i = 0; i < reachedCount; i++)
    firstRetainer[i + 1] = (firstRetainer[i + 1] as number) + (firstRetainer[i] as number);
  const retainers = new Uint32Array(firstRetainer[reachedCount] as number);
  const fill = firstRetainer.slice(0, reachedCount);
  forEachStrongTarget((from, to) => {
    retainers[(fill[to] as number)++] = from;
  });
  return {
    nodeAt: nodeAt.subarray(0, reachedCount),
    treeParent: treeParent.subarray(0, reachedCount),
    firstRetainer,
    retainers,
    spare: [stackNode, stackEdge],
  };
}
