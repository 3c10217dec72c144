import type { SnapshotGraph } from './snapshot-graph.js';

export interface Dominators {
  /** Immediate dominator of each node (node index); -1 for the root and for nodes no strong path reaches. */
  immediateDominator: Int32Array;
  /** Bytes freed if the node were collected: its own size plus all it alone keeps alive. */
  retainedBytes: Float64Array;
}

/**
 * Dominator tree and retained sizes with the iterative algorithm of Cooper, Harvey and Kennedy (the one
 * Chrome DevTools uses), over strong edges only. Everything lives in typed arrays sized by node and edge count.
 */
export function computeDominators(graph: SnapshotGraph): Dominators {
  const { snapshot, firstEdge } = graph;
  const { nodes, edges, nodeCount, nodeFieldCount, edgeFieldCount, nodeField, edgeField } = snapshot;
  const weakType = snapshot.edgeTypeNames.indexOf('weak');
  const isStrong = (edge: number): boolean => edges[edge + edgeField.type] !== weakType;
  const targetOf = (edge: number): number => (edges[edge + edgeField.toNode] as number) / nodeFieldCount;

  // Iterative depth-first search from the root gives the post-order numbering the algorithm iterates on.
  const postOrderOf = new Int32Array(nodeCount).fill(-1);
  const nodeAtPostOrder = new Uint32Array(nodeCount);
  const stackNode = new Uint32Array(nodeCount);
  const stackEdge = new Uint32Array(nodeCount);
  const isVisited = new Uint8Array(nodeCount);
  let reachedCount = 0;
  let depth = 0;
  stackNode[0] = 0;
  stackEdge[0] = firstEdge[0] as number;
  isVisited[0] = 1;
  while (depth >= 0) {
    const node = stackNode[depth] as number;
    const edge = stackEdge[depth] as number;
    if (edge < (firstEdge[node + 1] as number)) {
      stackEdge[depth] = edge + edgeFieldCount;
      const target = targetOf(edge);
      if (isStrong(edge) && !isVisited[target]) {
        isVisited[target] = 1;
        depth++;
        stackNode[depth] = target;
        stackEdge[depth] = firstEdge[target] as number;
      }
      continue;
    }
    postOrderOf[node] = reachedCount;
    nodeAtPostOrder[reachedCount++] = node;
    depth--;
  }

  // Predecessors in post-order numbers, compressed row storage.
  const firstRetainer = new Uint32Array(reachedCount + 1);
  for (let node = 0; node < nodeCount; node++) {
    if (postOrderOf[node] === -1) continue;
    for (
      let edge = firstEdge[node] as number;
      edge < (firstEdge[node + 1] as number);
      edge += edgeFieldCount
    ) {
      if (isStrong(edge)) (firstRetainer[(postOrderOf[targetOf(edge)] as number) + 1] as number)++;
    }
  }
  for (let i = 0; i < reachedCount; i++)
    firstRetainer[i + 1] = (firstRetainer[i + 1] as number) + (firstRetainer[i] as number);
  const retainers = new Uint32Array(firstRetainer[reachedCount] as number);
  const fill = firstRetainer.slice(0, reachedCount);
  for (let node = 0; node < nodeCount; node++) {
    const from = postOrderOf[node] as number;
    if (from === -1) continue;
    for (
      let edge = firstEdge[node] as number;
      edge < (firstEdge[node + 1] as number);
      edge += edgeFieldCount
    ) {
      if (!isStrong(edge)) continue;
      const to = postOrderOf[targetOf(edge)] as number;
      retainers[(fill[to] as number)++] = from;
    }
  }

  const rootPost = reachedCount - 1;
  const dominator = new Int32Array(reachedCount).fill(-1);
  dominator[rootPost] = rootPost;
  for (let isChanged = true; isChanged; ) {
    isChanged = false;
    for (let post = rootPost - 1; post >= 0; post--) {
      let candidate = -1;
      for (let r = firstRetainer[post] as number; r < (firstRetainer[post + 1] as number); r++) {
        let other = retainers[r] as number;
        if (dominator[other] === -1) continue;
        if (candidate === -1) {
          candidate = other;
          continue;
        }
        while (candidate !== other) {
          while (candidate < other) candidate = dominator[candidate] as number;
          while (other < candidate) other = dominator[other] as number;
        }
      }
      if (candidate !== -1 && dominator[post] !== candidate) {
        dominator[post] = candidate;
        isChanged = true;
      }
    }
  }

  const immediateDominator = new Int32Array(nodeCount).fill(-1);
  const retainedBytes = new Float64Array(nodeCount);
  for (let post = 0; post < reachedCount; post++) {
    const node = nodeAtPostOrder[post] as number;
    retainedBytes[node] =
      (retainedBytes[node] as number) + (nodes[node * nodeFieldCount + nodeField.selfSize] as number);
    if (post === rootPost) continue;
    const parent = nodeAtPostOrder[dominator[post] as number] as number;
    immediateDominator[node] = parent;
    // A dominator always has a higher post-order number, so its children are summed before it is read.
    retainedBytes[parent] = (retainedBytes[parent] as number) + (retainedBytes[node] as number);
  }
  return { immediateDominator, retainedBytes };
}
