// Decides whether the upstream answers behind a measurement were the recorded ones. A stub with no fixture for
// a path answers 404, and apps often hide that (a page that renders "not found" or an empty list with a 200):
// the app's own statuses look fine while the pages measured are not the ones the scenario meant.
import type { SideNetwork, StubTraffic } from '../model/report.js';
import { differsClearly, formatCount, formatShare } from './traffic.js';

export interface StubMissSide {
  label: string;
  network?: SideNetwork;
  /** False for a side that crashed or never started: it is compared with no other. */
  isMeasured?: boolean;
}

export interface StubMissProblem {
  label: string;
  code: 'UPSTREAM_MISSES';
  message: string;
  hint: string;
}

const missShare = (stub: StubTraffic) => (stub.requests > 0 ? stub.misses / stub.requests : 0);
const isFixtureStub = (stub: StubTraffic) => stub.source === 'fixtures' && stub.requests > 0;

/**
 * A side is at fault when more than `maxFailedShare` of a fixtures stub's requests missed, or, when both sides
 * stay within it, when its share of misses is clearly above the other side's for the same stub.
 */
export function checkStubMisses(
  allSides: readonly StubMissSide[],
  maxFailedShare: number,
): StubMissProblem[] {
  const sides = allSides.filter((side) => side.isMeasured !== false && side.network);
  const otherOf = (side: StubMissSide) => (allSides.length === 2 ? sides.find((s) => s !== side) : undefined);
  const problems: StubMissProblem[] = [];
  for (const side of sides) {
    const missing = stubsOf(side).filter((stub) => isFixtureStub(stub) && missShare(stub) > maxFailedShare);
    if (missing.length > 0) problems.push(problem(side, missing, otherOf(side), maxFailedShare));
  }
  if (problems.length > 0) return problems;
  for (const side of sides) {
    const other = otherOf(side);
    const worse = stubsOf(side).filter((stub) => {
      const twin = other ? stubsOf(other).find((candidate) => candidate.name === stub.name) : undefined;
      return (
        isFixtureStub(stub) &&
        twin !== undefined &&
        differsClearly(
          { failed: stub.misses, total: stub.requests },
          { failed: twin.misses, total: twin.requests },
          maxFailedShare,
        )
      );
    });
    if (worse.length > 0) problems.push(problem(side, worse, other, maxFailedShare));
  }
  return problems;
}

const stubsOf = (side: StubMissSide | undefined) => side?.network?.stubs ?? [];

/**
 * `head's upstream "pokeapi" had no fixture for 100 % of its requests, base's for 0 %`: the stub that missed
 * most, against the other side's share for it.
 */
export function stubMissLead(side: StubMissSide, other: StubMissSide | undefined): string {
  const [stub] = [...stubsOf(side)].filter(isFixtureStub).sort((a, b) => missShare(b) - missShare(a));
  if (!stub) return `${side.label}'s upstream stubs had no fixture for its requests`;
  const twin = stubsOf(other).find((candidate) => candidate.name === stub.name);
  return (
    `${side.label}'s upstream "${stub.name}" had no fixture for ${formatShare(missShare(stub))} of its requests` +
    (other && twin ? `, ${other.label}'s for ${formatShare(missShare(twin))}` : '')
  );
}

function problem(
  side: StubMissSide,
  stubs: StubTraffic[],
  other: StubMissSide | undefined,
  maxFailedShare: number,
): StubMissProblem {
  const details = stubs.map((stub) => {
    const paths = stub.missedPaths.map((missed) => `${missed.path} ×${formatCount(missed.count)}`).join(', ');
    return `"${stub.name}" missed ${formatCount(stub.misses)} of ${formatCount(stub.requests)} (${paths})`;
  });
  const [first] = stubs;
  const example = first?.missedPaths[0];
  const where = first?.fixtures
    ? `add the missing files to ${first.fixtures}${example ? ` (e.g. ${example.file} for ${example.path})` : ''}`
    : 'add the missing fixture files';
  return {
    label: side.label,
    code: 'UPSTREAM_MISSES',
    message: `${stubMissLead(side, other)}: each miss answered 404; ${details.join('; ')}`,
    hint:
      "Record the upstream's answers once with `leakwatch record --scenario <your scenario>` and commit them, " +
      `or ${where}; docs/scenarios.md#recording-fixtures. \`max-failed-share\` (now ${formatShare(maxFailedShare)}) ` +
      'sets how many misses a stub may have.',
  };
}
