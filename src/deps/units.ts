// The PR's bumps as units, from the lockfile graphs: a direct change with every transitive change its new version
// brings in, so a one-line upgrade of `next` that moves 40 lockfile entries is one suspect, not 40.

import type { BumpUnit, DependencyChange } from '../model/deps.js';
import { type LockGraph, nodeId, splitIdent } from './resolved.js';

/**
 * A transitive change belongs to the first direct change whose new subtree (head graph) holds one of its new
 * versions, or whose old subtree (base graph) held a version head dropped. The rest are grouped by the first
 * direct dependency, changed or not, whose subtree holds them. Without graphs (bun, npm v1, no lockfile), every
 * change is a unit of its own.
 */
export function groupIntoUnits(
  changes: readonly DependencyChange[],
  base: LockGraph | null,
  head: LockGraph | null,
): BumpUnit[] {
  if (!base || !head || head.children.size === 0) {
    return changes.map((change) => ({
      lead: change.name,
      kind: change.direct ? 'bump' : 'transitive',
      changes: [change],
    }));
  }
  const reachOf = { base: reachCache(base), head: reachCache(head) };
  const holds = (lead: string, change: DependencyChange) =>
    addedVersions(change).some((version) => reachOf.head(lead).has(nodeId(change.name, version))) ||
    droppedVersions(change).some((version) => reachOf.base(lead).has(nodeId(change.name, version)));

  const leads = [...new Set([...rootNames(head), ...rootNames(base)])].sort();
  // A workspace package the app links declares its dependencies like the app does: those lines are bumps too.
  const isBump = (change: DependencyChange) => change.direct || leads.includes(change.name);
  const bumps: BumpUnit[] = changes
    .filter(isBump)
    .map((change) => ({ lead: change.name, kind: 'bump', changes: [change] }));
  const orphans = new Map<string, BumpUnit>();
  for (const change of changes.filter((candidate) => !isBump(candidate))) {
    const bump = bumps.find((unit) => holds(unit.lead, change));
    if (bump) {
      bump.changes.push(change);
      continue;
    }
    const lead = leads.find((name) => holds(name, change)) ?? change.name;
    const unit = orphans.get(lead) ?? { lead, kind: 'transitive', changes: [] };
    unit.changes.push(change);
    orphans.set(lead, unit);
  }
  return [...bumps, ...[...orphans.values()].sort((a, b) => a.lead.localeCompare(b.lead))];
}

/** Every node reachable from the app's direct dependency `name`, memoised per name. */
function reachCache(graph: LockGraph): (name: string) => Set<string> {
  const cache = new Map<string, Set<string>>();
  return (name) => {
    const known = cache.get(name);
    if (known) return known;
    const starts = [...(graph.children.get(null) ?? [])].filter((id) => splitIdent(id).name === name);
    const reached = new Set(starts);
    const queue = [...starts];
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      for (const child of graph.children.get(id) ?? []) {
        if (reached.has(child)) continue;
        reached.add(child);
        queue.push(child);
      }
    }
    cache.set(name, reached);
    return reached;
  };
}

function rootNames(graph: LockGraph): string[] {
  return [...(graph.children.get(null) ?? [])].map((id) => splitIdent(id).name);
}

function addedVersions(change: DependencyChange): string[] {
  const before = change.fromVersions ?? (change.from === null ? [] : [change.from]);
  return (change.toVersions ?? (change.to === null ? [] : [change.to])).filter((v) => !before.includes(v));
}

function droppedVersions(change: DependencyChange): string[] {
  const after = change.toVersions ?? (change.to === null ? [] : [change.to]);
  return (change.fromVersions ?? (change.from === null ? [] : [change.from])).filter(
    (v) => !after.includes(v),
  );
}
