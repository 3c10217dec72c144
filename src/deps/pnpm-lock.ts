import { posix } from 'node:path';
import {
  addEdge,
  addVersion,
  isRecord,
  type LockGraph,
  nodeId,
  type ResolvedVersions,
  splitIdent,
} from './resolved.js';

const importerFields = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;
const packageFields = ['dependencies', 'optionalDependencies'] as const;

/**
 * Versions the importer at `importer` (null: every importer) installs, from a pnpm-lock.yaml v6 to v9. v9 keeps the dependency
 * graph in `snapshots` keyed `name@version(peers)`; v6 in `packages` keyed `/name@version(peers)`.
 * Single-project v6 lockfiles put the importer's fields at the top level.
 */
export function resolvePnpmLock(
  lock: Record<string, unknown>,
  importer: string | null,
  graph?: LockGraph,
): ResolvedVersions {
  const versions: ResolvedVersions = new Map();
  const importers = isRecord(lock.importers) ? lock.importers : { '.': lock };
  const lockGraph = isRecord(lock.snapshots) ? lock.snapshots : isRecord(lock.packages) ? lock.packages : {};
  const keyPrefix = isRecord(lock.snapshots) ? '' : '/';
  const visited = new Set<string>();
  const queue: string[] = [];
  // `node` is the graph node a reference hangs under; linked workspaces are transparent and keep their parent's.
  const visitImporter = (path: string, fields: readonly string[], node: string | null) => {
    const entry = importers[path];
    if (!isRecord(entry) || visited.has(`importer:${path}`)) return;
    visited.add(`importer:${path}`);
    for (const field of fields) {
      for (const [name, ref] of importerRefs(entry[field])) follow(name, ref, path, node);
    }
  };
  const follow = (name: string, ref: string, fromImporter: string, node: string | null) => {
    if (ref.startsWith('link:')) {
      visitImporter(posix.normalize(posix.join(fromImporter, ref.slice(5))), packageFields, node);
      return;
    }
    // Aliases and tarballs put the whole key in the ref (`string-width@4.2.3`), plain versions only the version.
    const key = [`${keyPrefix}${name}@${ref}`, ref, `${keyPrefix}${ref}`].find(
      (candidate) => candidate in lockGraph,
    );
    if (!key) return;
    addEdge(graph, node, idOf(key));
    if (!visited.has(key)) {
      visited.add(key);
      queue.push(key);
    }
  };

  if (importer === null || !(importer in importers)) {
    for (const key of Object.keys(lockGraph)) follow('', key, '.', null);
  } else visitImporter(importer, importerFields, null);
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
    const { name, version } = nameAndVersion(key);
    addVersion(versions, name, version);
    const entry = lockGraph[key];
    if (!isRecord(entry)) continue;
    for (const field of packageFields) {
      for (const [depName, ref] of importerRefs(entry[field])) follow(depName, ref, '.', idOf(key));
    }
  }
  return versions;
}

/** `/name@1.2.3(peer@4)` (v6) or `name@1.2.3(peer@4)` (v9) without the peer suffix. */
function nameAndVersion(key: string): { name: string; version: string } {
  const { name, rest } = splitIdent(key.startsWith('/') ? key.slice(1) : key);
  const peerSuffix = rest.indexOf('(');
  return { name, version: peerSuffix === -1 ? rest : rest.slice(0, peerSuffix) };
}

function idOf(key: string): string {
  const { name, version } = nameAndVersion(key);
  return nodeId(name, version);
}

// Importers store `{ specifier, version }` (v6+); package entries store the version string directly.
function importerRefs(value: unknown): [string, string][] {
  if (!isRecord(value)) return [];
  const refs: [string, string][] = [];
  for (const [name, ref] of Object.entries(value)) {
    const version = isRecord(ref) ? ref.version : ref;
    if (typeof version === 'string') refs.push([name, version]);
  }
  return refs;
}
