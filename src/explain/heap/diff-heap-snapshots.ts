import { LeakwatchError } from '../../settings/errors.js';
import { computeDominators, type Dominators } from './dominators.js';
import { type ParsedSnapshot, parseSnapshot } from './parse-snapshot.js';
import { chooseShown, explainMember, votingMembers } from './representative.js';
import { findRootDistances, formatRetainerPath } from './retainer-path.js';
import { createSnapshotGraph } from './snapshot-graph.js';
import type {
  DiffHeapSnapshotsOptions,
  DiffHeapSnapshotsResult,
  HeapGroupGrowth,
  SnapshotSummary,
} from './types.js';

export type { RetainerPath, RetainerStep } from './retainer-path.js';
export type { DiffHeapSnapshotsOptions, DiffHeapSnapshotsResult, HeapGroupGrowth } from './types.js';

// A true leak frees nothing (ratio 1.0); JIT code and churning caches measured 0.3–0.76.
const MIN_SURVIVAL_RATIO = 0.9;
const MAX_HALF_SHARE_DEVIATION = 0.25;
const MAX_UNSTEADY_GROUPS = 5;
// Compiled code and hidden classes follow the JIT, which keeps optimising for a while under load.
const JIT_NODE_TYPES = new Set(['code', 'object shape']);

interface GroupTally {
  name: string;
  nodeType: string;
  beforeMiddle: number;
  afterMiddle: number;
  selfBytes: number;
  sample: number;
  sampleIdDistance: number;
  beforeMiddleIdSum: number;
  /** Members spread evenly over the group (up to votingMembers), which vote on its owner; `visited` counts. */
  spread: number[];
  visited: number;
}

/**
 * The 3-snapshot rule: objects created after snapshot 1 (V8 ids only grow within a process) and alive
 * in snapshot 3 are what the run accumulated. Snapshot 2 splits them in halves, so a steady leak can be
 * told from a cache that filled early or churns.
 */
export async function diffHeapSnapshots(options: DiffHeapSnapshotsOptions): Promise<DiffHeapSnapshotsResult> {
  const startedMs = performance.now();
  const log = options.log ?? (() => {});
  const requests = requestsBetween(options);
  const [firstPath, middlePath, lastPath] = options.snapshotPaths;
  const first = summaryOf(firstPath, await parseSnapshot({ path: firstPath, detail: 'ids' }));
  log(`heap: snapshot 1 read (${first.nodeCount} nodes)`);
  const { middle, aliveAtMiddle } = await readMiddle(middlePath, first.maxHeapObjectId);
  log(`heap: snapshot 2 read (${middle.nodeCount} nodes)`);
  const last = await parseSnapshot({ path: lastPath, detail: 'full' });
  log(`heap: snapshot 3 read (${last.nodeCount} nodes, ${last.edgeCount} edges)`);
  assertTimeOrder(middle.maxHeapObjectId, last.maxHeapObjectId);

  const tallies = tallyNewObjects(last, first.maxHeapObjectId, middle.maxHeapObjectId);
  const { growing, unsteady } = classifyGroups(tallies, aliveAtMiddle, requests, options);
  const explained = growing.slice(0, options.maxGroups ?? 10);
  if (explained.length > 0) {
    log(`heap: retainer paths and retained sizes for ${explained.length} growing groups`);
    explainGroups(explained, { last, sinceId: first.maxHeapObjectId, tallies, requests, options });
  }
  return {
    growing,
    unsteady,
    snapshots: [first, middle, summaryOf(lastPath, last)],
    requestsFirstToLast: requests.firstToLast,
    durationMs: performance.now() - startedMs,
  };
}

interface RequestsBetween {
  firstToLast: number;
  firstToMiddle: number;
}

function requestsBetween(options: DiffHeapSnapshotsOptions): RequestsBetween {
  const { firstToLast } = options.requestsBetween;
  const firstToMiddle = options.requestsBetween.firstToMiddle ?? firstToLast / 2;
  if (firstToLast > 0 && firstToMiddle > 0 && firstToMiddle < firstToLast)
    return { firstToLast, firstToMiddle };
  throw new LeakwatchError(
    'HEAP_DIFF_REQUESTS',
    `requestsBetween must satisfy 0 < firstToMiddle < firstToLast (got ${firstToMiddle} and ${firstToLast}).`,
    {
      hint: 'Count the requests served between the snapshots; the middle snapshot must fall between the other two.',
    },
  );
}

/** Snapshot 2 gives only its new objects' counts by group: its arrays would double the peak while snapshot 3 loads. */
async function readMiddle(
  path: string,
  sinceId: number,
): Promise<{ middle: SnapshotSummary; aliveAtMiddle: Map<string, number> }> {
  const snapshot = await parseSnapshot({ path, detail: 'nodes' });
  assertTimeOrder(sinceId, snapshot.maxHeapObjectId);
  return { middle: summaryOf(path, snapshot), aliveAtMiddle: countNewByGroup(snapshot, sinceId) };
}

function summaryOf(path: string, snapshot: ParsedSnapshot): SnapshotSummary {
  return { path, nodeCount: snapshot.nodeCount, maxHeapObjectId: snapshot.maxHeapObjectId };
}

/** Groups above the noise thresholds, split into steady growth (a verdict) and the rest (context). */
function classifyGroups(
  tallies: Map<string, GroupTally>,
  aliveAtMiddle: Map<string, number>,
  { firstToLast, firstToMiddle }: RequestsBetween,
  options: DiffHeapSnapshotsOptions,
): { growing: HeapGroupGrowth[]; unsteady: HeapGroupGrowth[] } {
  const minBytesPerRequest = options.minBytesPerRequest ?? 8;
  const minObjectsPerRequest = options.minObjectsPerRequest ?? 0.01;
  const expectedAfterShare = (firstToLast - firstToMiddle) / firstToLast;
  const growing: HeapGroupGrowth[] = [];
  const unsteady: HeapGroupGrowth[] = [];
  for (const [key, tally] of tallies) {
    const count = tally.beforeMiddle + tally.afterMiddle;
    const objectsPerRequest = count / firstToLast;
    const bytesPerRequest = tally.selfBytes / firstToLast;
    if (objectsPerRequest < minObjectsPerRequest || bytesPerRequest < minBytesPerRequest) continue;
    const atMiddle = aliveAtMiddle.get(key) ?? 0;
    const survivalRatio = atMiddle === 0 ? 0 : Math.min(1, tally.beforeMiddle / atMiddle);
    const afterShare = tally.afterMiddle / count;
    const isSteady =
      tally.beforeMiddle > 0 &&
      tally.afterMiddle > 0 &&
      survivalRatio >= MIN_SURVIVAL_RATIO &&
      Math.abs(afterShare - expectedAfterShare) <= MAX_HALF_SHARE_DEVIATION;
    const group: HeapGroupGrowth = {
      name: tally.name,
      nodeType: tally.nodeType,
      objectsPerRequest,
      bytesPerRequest,
      newObjectCount: count,
      newSelfBytes: tally.selfBytes,
      createdBeforeMiddleCount: tally.beforeMiddle,
      createdAfterMiddleCount: tally.afterMiddle,
      survivalRatio,
      isSteady,
      packages: [],
      bumpedPackages: [],
    };
    (isSteady && !JIT_NODE_TYPES.has(tally.nodeType) ? growing : unsteady).push(group);
  }
  const byBytes = (a: HeapGroupGrowth, b: HeapGroupGrowth): number => b.bytesPerRequest - a.bytesPerRequest;
  growing.sort(byBytes);
  unsteady.sort(byBytes);
  unsteady.length = Math.min(unsteady.length, MAX_UNSTEADY_GROUPS);
  return { growing, unsteady };
}

/** Adds retained bytes, the shown member's source file, retainer path and owning packages to each group. */
function explainGroups(
  groups: readonly HeapGroupGrowth[],
  context: {
    last: ParsedSnapshot;
    sinceId: number;
    tallies: Map<string, GroupTally>;
    requests: RequestsBetween;
    options: DiffHeapSnapshotsOptions;
  },
): void {
  const { last, sinceId, tallies, options } = context;
  const graph = createSnapshotGraph(last);
  const distances = findRootDistances(graph);
  const retainedBytes = retainedBytesByGroup(last, sinceId, computeDominators(graph, sinceId), groups);
  for (const group of groups) {
    group.retainedBytesPerRequest =
      (retainedBytes.get(groupKeyOf(group)) ?? 0) / context.requests.firstToLast;
    const { sample, spread } = tallies.get(groupKeyOf(group)) as GroupTally;
    const explain = (node: number) => explainMember(graph, distances, node, options.bumpedPackages ?? []);
    const { retainerPath, ...attribution } = chooseShown(explain(sample), spread.map(explain));
    Object.assign(group, attribution);
    if (retainerPath === undefined) continue;
    group.retainerPath = retainerPath;
    const appRoot = options.appRoot === undefined ? {} : { appRoot: options.appRoot };
    group.retainerPathText = formatRetainerPath(retainerPath, appRoot);
  }
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);
const UNNAMED_TYPES = new Set(['number', 'symbol', 'bigint', 'regexp']);

/** Strings are grouped by type, not content, or every distinct string would be its own group. */
function groupOf(typeName: string, name: string): { name: string; nodeType: string } {
  if (STRING_TYPES.has(typeName)) return { name: '(string)', nodeType: 'string' };
  if (UNNAMED_TYPES.has(typeName)) return { name: `(${typeName})`, nodeType: typeName };
  return { name: name === '' ? `(${typeName})` : name, nodeType: typeName };
}

function groupKeyOf(group: { name: string; nodeType: string }): string {
  return `${group.nodeType}\u0000${group.name}`;
}

/** Visits nodes with an odd (heap object) id above `sinceId`, resolving each (type, name) pair once. */
function forEachNewNode(
  snapshot: ParsedSnapshot,
  sinceId: number,
  visit: (node: number, key: string, group: { name: string; nodeType: string }, id: number) => void,
): void {
  const { nodes, nodeFieldCount, nodeField, strings, nodeTypeNames } = snapshot;
  const resolved = new Map<number, { key: string; group: { name: string; nodeType: string } }>();
  for (let node = 0, offset = 0; node < snapshot.nodeCount; node++, offset += nodeFieldCount) {
    const id = nodes[offset + nodeField.id] as number;
    if (id <= sinceId || (id & 1) === 0) continue;
    const type = nodes[offset + nodeField.type] as number;
    const nameIndex = nodes[offset + nodeField.name] as number;
    const pair = nameIndex * 32 + type;
    let entry = resolved.get(pair);
    if (entry === undefined) {
      const group = groupOf(nodeTypeNames[type] ?? 'unknown', strings[nameIndex] ?? '');
      entry = { key: groupKeyOf(group), group };
      resolved.set(pair, entry);
    }
    visit(node, entry.key, entry.group, id);
  }
}

function countNewByGroup(snapshot: ParsedSnapshot, sinceId: number): Map<string, number> {
  const counts = new Map<string, number>();
  forEachNewNode(snapshot, sinceId, (_node, key) => counts.set(key, (counts.get(key) ?? 0) + 1));
  return counts;
}

function tallyNewObjects(
  snapshot: ParsedSnapshot,
  firstMaxId: number,
  middleMaxId: number,
): Map<string, GroupTally> {
  const tallies = new Map<string, GroupTally>();
  const { nodes, nodeFieldCount, nodeField } = snapshot;
  forEachNewNode(snapshot, firstMaxId, (node, key, group, id) => {
    let tally = tallies.get(key);
    if (tally === undefined) {
      const empty = { beforeMiddle: 0, afterMiddle: 0, selfBytes: 0, beforeMiddleIdSum: 0, visited: 0 };
      tally = { ...group, ...empty, spread: [], sample: node, sampleIdDistance: Number.POSITIVE_INFINITY };
      tallies.set(key, tally);
    }
    if (id <= middleMaxId) {
      tally.beforeMiddle++;
      tally.beforeMiddleIdSum += id;
    } else tally.afterMiddle++;
    tally.selfBytes += nodes[node * nodeFieldCount + nodeField.selfSize] as number;
  });
  // The sample is the survivor created nearest the middle of the first half: old enough to have been held
  // through the run, and typical of the bulk (the very oldest is often a one-off from the round's start).
  forEachNewNode(snapshot, firstMaxId, (node, key, _group, id) => {
    const tally = tallies.get(key) as GroupTally;
    const index = tally.visited++;
    const stride = Math.ceil((tally.beforeMiddle + tally.afterMiddle) / votingMembers);
    if (index % stride === 0) tally.spread.push(node);
    const typicalId = tally.beforeMiddle > 0 ? tally.beforeMiddleIdSum / tally.beforeMiddle : middleMaxId;
    const distance = Math.abs(id - typicalId);
    if (distance < tally.sampleIdDistance) {
      tally.sample = node;
      tally.sampleIdDistance = distance;
    }
  });
  return tallies;
}

/**
 * Retained bytes of each group, counted at its outermost members only: in a chain of leaked nodes each
 * node retains the rest, and summing them all would count the chain once per member. Only objects created
 * since snapshot 1 count: the head of a list that grew for hours before it also retains all its old nodes,
 * and those are not this run's growth.
 */
function retainedBytesByGroup(
  snapshot: ParsedSnapshot,
  sinceId: number,
  dominators: Dominators,
  groups: readonly HeapGroupGrowth[],
): Map<string, number> {
  const wanted = new Set(groups.map(groupKeyOf));
  const memberGroup = new Map<number, string>();
  forEachNewNode(snapshot, sinceId, (node, key) => {
    if (wanted.has(key)) memberGroup.set(node, key);
  });
  const totals = new Map<string, number>();
  for (const [node, key] of memberGroup) {
    if (memberGroup.get(dominators.immediateDominator[node] as number) === key) continue;
    totals.set(key, (totals.get(key) ?? 0) + (dominators.retainedBytes[node] as number));
  }
  return totals;
}

function assertTimeOrder(earlierMaxId: number, laterMaxId: number): void {
  if (earlierMaxId <= laterMaxId) return;
  throw new LeakwatchError(
    'HEAP_DIFF_ORDER',
    'The heap snapshots are not in time order, or come from different processes.',
    {
      hint: 'Pass the three snapshots of one app process in the order they were taken.',
    },
  );
}
