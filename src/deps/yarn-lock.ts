import {
  addEdge,
  addVersion,
  dependencyEntries,
  isRecord,
  type LockGraph,
  nodeId,
  type ResolvedVersions,
  splitIdent,
} from './resolved.js';

const followedFields = ['dependencies', 'optionalDependencies'] as const;

/**
 * Versions reachable from `roots` (`name@range` descriptors; null for every entry) in a yarn.lock whose entries are keyed by
 * descriptor. Classic lockfiles omit workspaces, so a root they cannot resolve (a sibling workspace)
 * makes the whole lockfile the answer rather than silently missing that workspace's dependencies.
 */
export function resolveYarnClassicLock(
  lock: Record<string, unknown>,
  roots: [string, string][] | null,
  graph?: LockGraph,
): ResolvedVersions {
  const entries = byDescriptor(lock);
  if (roots === null) return allVersions(entries);
  const descriptors = roots.map(([name, range]) => `${name}@${range}`);
  if (descriptors.some((descriptor) => !isRecord(entries[descriptor]))) return allVersions(entries);
  return walk(entries, descriptors, (name, range) => [`${name}@${range}`], graph);
}

/**
 * Berry lockfiles list workspaces as `name@workspace:path` entries, so the walk starts at the app's own
 * workspace. Keys join several descriptors with ", ".
 */
export function resolveYarnBerryLock(
  lock: Record<string, unknown>,
  importer: string | null,
  graph?: LockGraph,
): ResolvedVersions {
  const entries = byDescriptor(lock);
  const start = Object.keys(entries).find((descriptor) => {
    const entry = entries[descriptor];
    return isRecord(entry) && entry.resolution === `${splitIdent(descriptor).name}@workspace:${importer}`;
  });
  if (importer === null || !start) return allVersions(entries);
  // Lockfile dependency ranges normally carry the `npm:` protocol; older berry wrote bare ranges.
  return walk(entries, [start], (name, range) => [`${name}@${range}`, `${name}@npm:${range}`], graph);
}

// Both formats join the descriptors that share one resolution into a single key: "a@^1.0.0, a@^1.2.0".
function byDescriptor(lock: Record<string, unknown>): Record<string, unknown> {
  const entries: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(lock)) {
    if (key === '__metadata') continue;
    for (const descriptor of key.split(',')) entries[descriptor.trim()] = entry;
  }
  return entries;
}

function walk(
  entries: Record<string, unknown>,
  starts: string[],
  candidates: (name: string, range: string) => string[],
  graph: LockGraph | undefined,
): ResolvedVersions {
  const versions: ResolvedVersions = new Map();
  const visited = new Set<unknown>();
  // Each descriptor with the graph node that requires it; workspaces are transparent and keep their parent's.
  const queue: [string, string | null][] = starts.map((start) => [start, null]);
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const [descriptor, parent] = item;
    const entry = entries[descriptor];
    if (!isRecord(entry)) continue;
    const id = recordEntry(descriptor, entry, versions);
    if (id) addEdge(graph, parent, id);
    if (visited.has(entry)) continue;
    visited.add(entry);
    for (const field of followedFields) {
      for (const [name, range] of dependencyEntries(entry[field])) {
        const found = candidates(name, range).find((candidate) => isRecord(entries[candidate]));
        if (found) queue.push([found, id ?? parent]);
      }
    }
  }
  return versions;
}

function allVersions(entries: Record<string, unknown>): ResolvedVersions {
  const versions: ResolvedVersions = new Map();
  for (const [key, entry] of Object.entries(entries)) {
    if (key !== '__metadata' && isRecord(entry))
      recordEntry(key.split(',')[0]?.trim() ?? key, entry, versions);
  }
  return versions;
}

/** Records the entry's version; returns its graph node id, null for workspaces and entries without one. */
function recordEntry(
  descriptor: string,
  entry: Record<string, unknown>,
  versions: ResolvedVersions,
): string | null {
  if (typeof entry.version !== 'string') return null;
  // Berry's `resolution` names the real package behind an alias; workspaces are local code, not dependencies.
  const resolution = typeof entry.resolution === 'string' ? entry.resolution : descriptor;
  if (resolution.includes('@workspace:')) return null;
  const { name } = splitIdent(resolution);
  addVersion(versions, name, entry.version);
  return nodeId(name, entry.version);
}
