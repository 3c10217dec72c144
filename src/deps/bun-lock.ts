import { addVersion, dependencyEntries, isRecord, type ResolvedVersions, splitIdent } from './resolved.js';

const workspaceFields = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
] as const;
const packageFields = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * Versions the workspace at `importer` (null: every workspace) installs, from a text bun.lock. `packages` keys are install paths
 * (`parent/child` for a copy nested under `parent`), values are `[ident, registry, meta, integrity]`,
 * so lookups walk outwards from the requiring package like Node's resolution.
 */
export function resolveBunLock(lock: Record<string, unknown>, importer: string | null): ResolvedVersions {
  const versions: ResolvedVersions = new Map();
  const packages = isRecord(lock.packages) ? lock.packages : {};
  const workspaces = isRecord(lock.workspaces) ? lock.workspaces : {};
  const startPath = importer === '.' ? '' : (importer ?? '');
  const start = importer === null ? undefined : workspaces[startPath];
  if (!isRecord(start)) {
    for (const entry of Object.values(packages)) recordEntry(entry, versions);
    return versions;
  }
  const visited = new Set<string>();
  const queue: { scope: string[]; names: string[] }[] = [];
  const enqueueWorkspace = (path: string, scope: string[], fields: readonly string[]) => {
    const workspace = workspaces[path];
    if (!isRecord(workspace) || visited.has(`workspace:${path}`)) return;
    visited.add(`workspace:${path}`);
    queue.push({
      scope,
      names: fields.flatMap((field) => dependencyEntries(workspace[field]).map(([name]) => name)),
    });
  };
  const ownName = typeof start.name === 'string' && startPath !== '' ? [start.name] : [];
  enqueueWorkspace(startPath, ownName, workspaceFields);

  for (let item = queue.shift(); item; item = queue.shift()) {
    for (const name of item.names) {
      const scope = findScope(packages, item.scope, name);
      if (!scope) continue;
      const key = scope.join('/');
      const entry = packages[key];
      if (visited.has(key) || !Array.isArray(entry)) continue;
      visited.add(key);
      const ident = typeof entry[0] === 'string' ? entry[0] : '';
      const workspacePath = splitIdent(ident).rest.startsWith('workspace:')
        ? splitIdent(ident).rest.slice(10)
        : null;
      if (workspacePath !== null) {
        enqueueWorkspace(workspacePath, scope, packageFields);
        continue;
      }
      recordEntry(entry, versions);
      const meta = entry.find(isRecord) ?? {};
      queue.push({
        scope,
        names: packageFields.flatMap((field) => dependencyEntries(meta[field]).map(([dep]) => dep)),
      });
    }
  }
  return versions;
}

function findScope(packages: Record<string, unknown>, from: string[], name: string): string[] | null {
  for (let depth = from.length; depth >= 0; depth--) {
    const scope = [...from.slice(0, depth), name];
    if (scope.join('/') in packages) return scope;
  }
  return null;
}

function recordEntry(entry: unknown, versions: ResolvedVersions): void {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string') return;
  const { name, rest } = splitIdent(entry[0]);
  if (!rest.startsWith('workspace:')) addVersion(versions, name, rest);
}
