import type { RetainerPath } from './retainer-path.js';

export interface DiffHeapSnapshotsOptions {
  /** Snapshots of ONE process, in time order: after warm-up, mid-run, end. Ids are only comparable within a process. */
  snapshotPaths: readonly [string, string, string];
  /** Requests served between the snapshots. `firstToMiddle` defaults to half of `firstToLast`. */
  requestsBetween: { firstToLast: number; firstToMiddle?: number };
  /** Packages the PR changed; groups whose files live in one of them are flagged. */
  bumpedPackages?: readonly string[];
  /** Groups below this many bytes per request are noise. Default 8. */
  minBytesPerRequest?: number;
  /** Groups below this many objects per request are noise. Default 0.01. */
  minObjectsPerRequest?: number;
  /** How many growing groups get a retainer path. Default 10. */
  maxGroups?: number;
  /** The app's directory, so its own files show as relative paths. */
  appRoot?: string;
  log?: (line: string) => void;
}

/** Objects of one constructor (or node name) that were created after snapshot 1 and are alive in snapshot 3. */
export interface HeapGroupGrowth {
  /** Constructor name for objects, function name for closures, `(string)` for strings, the V8 name otherwise. */
  name: string;
  /** V8 node type: object, closure, native (ArrayBuffer contents), array, hidden, code, string, … */
  nodeType: string;
  objectsPerRequest: number;
  /** Shallow (self) bytes of the new objects per request. */
  bytesPerRequest: number;
  /** Bytes the group's objects keep alive (themselves included) per request, from the dominator tree of snapshot 3, counting only objects created since snapshot 1 (the head of a long list also holds its old nodes). Set on the groups that get a retainer path. */
  retainedBytesPerRequest?: number;
  newObjectCount: number;
  newSelfBytes: number;
  /** Objects alive at the end that were created before / after the middle snapshot. */
  createdBeforeMiddleCount: number;
  createdAfterMiddleCount: number;
  /** Share of the objects created before the middle that were still alive at the end (1 for a true leak, lower for a churning cache). */
  survivalRatio: number;
  /** Both halves of the run added objects, in proportion to their requests, and almost none were freed. */
  isSteady: boolean;
  /** File of the sample object's class, or of the closure itself. */
  sourceFile?: string;
  /** Shortest strong path from a GC root to one object of the group. */
  retainerPath?: RetainerPath;
  /** The path as one line: `(root) → … → Map (defaultsByInstance) in node_modules/x/y.js → LeakyClient`. */
  retainerPathText?: string;
  /** npm packages named by the object's class file and the files along its retainer path, closest first. */
  packages: string[];
  /** The subset of `packages` that the PR bumped. */
  bumpedPackages: string[];
}

export interface SnapshotSummary {
  path: string;
  nodeCount: number;
  maxHeapObjectId: number;
}

export interface DiffHeapSnapshotsResult {
  /** Steady growth above the noise threshold, largest bytes per request first. */
  growing: HeapGroupGrowth[];
  /** Above the threshold but not steady (plateaus, churn, one-off allocations) or JIT code and hidden classes: context, not a verdict. */
  unsteady: HeapGroupGrowth[];
  snapshots: [SnapshotSummary, SnapshotSummary, SnapshotSummary];
  requestsFirstToLast: number;
  durationMs: number;
}
