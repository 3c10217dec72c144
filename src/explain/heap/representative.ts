// Which member of a growing group the report shows. One group (say `Object`) can hold objects that different
// packages keep: the demo's 17 Objects per request are held partly through axios and partly through
// contentful-sdk-core, so one sampled member named either owner from run to run. A spread of members votes.
import { attributePackages } from './attribute-packages.js';
import { type RetainerPath, type RootDistances, retainerPathOf } from './retainer-path.js';
import type { SnapshotGraph } from './snapshot-graph.js';

/** How many members, spread over the group, vote on the owning package. */
export const votingMembers = 16;

export interface MemberExplanation {
  sourceFile?: string;
  retainerPath?: RetainerPath;
  packages: string[];
  bumpedPackages: string[];
}

/** A member's source file, retainer path and the packages they name, closest to the member first. */
export function explainMember(
  graph: SnapshotGraph,
  distances: RootDistances,
  node: number,
  bumpedPackages: readonly string[],
): MemberExplanation {
  const sourceFile = graph.sourceFileOf(node);
  const retainerPath = retainerPathOf(graph, distances, node);
  const files = [sourceFile, ...(retainerPath?.steps ?? []).map((step) => step.file).reverse()];
  return {
    ...(sourceFile === undefined ? {} : { sourceFile }),
    ...(retainerPath === undefined ? {} : { retainerPath }),
    ...attributePackages(files, bumpedPackages),
  };
}

/**
 * The typical member, unless more of the spread names another closest package (or none, for the app's own
 * objects): then the first member that does, so the path shown and the owner named agree with the bulk.
 */
export function chooseShown(
  typical: MemberExplanation,
  spread: readonly MemberExplanation[],
): MemberExplanation {
  const ownerOf = (member: MemberExplanation): string | undefined => member.packages[0];
  const votes = new Map<string | undefined, number>();
  for (const member of spread) votes.set(ownerOf(member), (votes.get(ownerOf(member)) ?? 0) + 1);
  let winner = ownerOf(typical);
  for (const [owner, count] of votes) if (count > (votes.get(winner) ?? 0)) winner = owner;
  if (winner === ownerOf(typical)) return typical;
  return spread.find((member) => ownerOf(member) === winner) ?? typical;
}
