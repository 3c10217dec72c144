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

const runtimeFields = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * Versions the app at `importer` (lockfile-relative, '.' for the lockfile's own project, null for
 * every package in the lockfile) installs from a
 * package-lock.json or npm-shrinkwrap.json. v2/v3 follow Node's resolution through `packages` from the
 * workspace entry; v1 predates workspaces and lists one tree, taken whole.
 */
export function resolveNpmLock(
  lock: Record<string, unknown>,
  importer: string | null,
  graph?: LockGraph,
): ResolvedVersions {
  const versions: ResolvedVersions = new Map();
  if (isRecord(lock.packages)) walkPackages(lock.packages, importer === '.' ? '' : importer, versions, graph);
  else walkV1Tree(lock.dependencies, versions);
  return versions;
}

function walkPackages(
  packages: Record<string, unknown>,
  start: string | null,
  versions: ResolvedVersions,
  graph: LockGraph | undefined,
): void {
  const root = start === null ? undefined : packages[start];
  // An app dir that is not one of the lockfile's workspaces: every package is the best available answer.
  if (start === null || !isRecord(root)) {
    for (const [location, entry] of Object.entries(packages)) {
      if (location.includes('node_modules/') && isRecord(entry) && !entry.link)
        record(location, entry, versions);
    }
    return;
  }
  const visited = new Set<string>();
  // `node` is the graph node the names hang under: a linked workspace is transparent, so it keeps its parent's.
  const queue: { location: string; names: string[]; node: string | null }[] = [
    { location: start, names: namesOf(root, true), node: null },
  ];
  for (let item = queue.shift(); item; item = queue.shift()) {
    for (const name of item.names) {
      const found = findInstalled(packages, item.location, name);
      if (!found) continue;
      const { location, entry } = found;
      const isLink = entry.link === true && typeof entry.resolved === 'string';
      const id = isLink ? null : record(location, entry, versions);
      if (id) addEdge(graph, item.node, id);
      if (visited.has(location)) continue;
      visited.add(location);
      if (isLink) {
        const target = packages[entry.resolved as string];
        if (isRecord(target) && !visited.has(entry.resolved as string)) {
          visited.add(entry.resolved as string);
          queue.push({ location: entry.resolved as string, names: namesOf(target, false), node: item.node });
        }
        continue;
      }
      queue.push({ location, names: namesOf(entry, false), node: id });
    }
  }
}

function namesOf(entry: Record<string, unknown>, withDev: boolean): string[] {
  const fields = withDev ? [...runtimeFields, 'devDependencies'] : runtimeFields;
  return fields.flatMap((field) => dependencyEntries(entry[field]).map(([name]) => name));
}

// Node's lookup: the package's own node_modules, then each enclosing node_modules up to the root.
function findInstalled(packages: Record<string, unknown>, from: string, name: string) {
  let dir = from;
  for (;;) {
    const location = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    const entry = packages[location];
    if (isRecord(entry)) return { location, entry };
    if (dir === '') return null;
    const nested = dir.lastIndexOf('/node_modules/');
    dir = nested === -1 ? '' : dir.slice(0, nested);
  }
}

/** Records the installed copy's version; returns its graph node id, null when it has no version. */
function record(location: string, entry: Record<string, unknown>, versions: ResolvedVersions): string | null {
  if (typeof entry.version !== 'string') return null;
  const name =
    typeof entry.name === 'string' ? entry.name : location.slice(location.lastIndexOf('node_modules/') + 13);
  addVersion(versions, name, entry.version);
  return nodeId(name, entry.version);
}

function walkV1Tree(tree: unknown, versions: ResolvedVersions): void {
  if (!isRecord(tree)) return;
  for (const [name, entry] of Object.entries(tree)) {
    if (!isRecord(entry)) continue;
    if (typeof entry.version === 'string') {
      // Aliases are stored as `npm:real-name@1.2.3`.
      const alias = entry.version.startsWith('npm:') ? splitIdent(entry.version.slice(4)) : null;
      if (alias) addVersion(versions, alias.name, alias.rest);
      else addVersion(versions, name, entry.version);
    }
    walkV1Tree(entry.dependencies, versions);
  }
}
