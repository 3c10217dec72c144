/** Package name → every version of it that the app installs, from one lockfile at one ref. */
export type ResolvedVersions = Map<string, Set<string>>;

export function addVersion(versions: ResolvedVersions, name: string, version: string): void {
  const known = versions.get(name);
  if (known) known.add(version);
  else versions.set(name, new Set([version]));
}

/** Splits `name@rest` where the name may be scoped (`@scope/name@rest`). */
export function splitIdent(ident: string): { name: string; rest: string } {
  const at = ident.indexOf('@', 1);
  return at === -1 ? { name: ident, rest: '' } : { name: ident.slice(0, at), rest: ident.slice(at + 1) };
}

/** A dependency map from a manifest-like object (`{ name: range }`), ignoring anything malformed. */
export function dependencyEntries(value: unknown): [string, string][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The lockfile's dependency graph as the app sees it: node ids are `name@version`, `null` is the app itself
 * (workspace packages it links are transparent, so their dependencies count as the app's own).
 */
export interface LockGraph {
  children: Map<string | null, Set<string>>;
}

export function nodeId(name: string, version: string): string {
  return `${name}@${version}`;
}

export function addEdge(graph: LockGraph | undefined, from: string | null, to: string): void {
  if (!graph) return;
  const known = graph.children.get(from);
  if (known) known.add(to);
  else graph.children.set(from, new Set([to]));
}
