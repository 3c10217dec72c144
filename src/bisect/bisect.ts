// After a PR regressed: find which of its bumps leaks. A PR with one bump (a direct change and whatever its new
// version pulls into the lockfile) needs no measurement: that bump is the culprit. With several, halve the set of
// bumps, measuring base plus each half against the already-built base, then confirm the last suspect alone.
import { primaryFit } from '../analysis/analysis.js';
import type {
  BisectionOutcome,
  BisectionResult,
  BisectionStep,
  CulpritConfirmation,
} from '../model/bisect.js';
import type { BumpUnit, DependencyChange } from '../model/deps.js';
import type { CompareReport, SlopeFit } from '../model/report.js';
import {
  type CandidateBase,
  diedAfter,
  type MeasuredCandidate,
  measureCandidate,
} from './measure-candidate.js';

export interface BisectChangesOptions extends CandidateBase {
  /** The PR's bumps, from the dependency diff. */
  units: readonly BumpUnit[];
  /** The comparison of base and the full head that said `regression`. */
  headReport: CompareReport;
  /** No new candidate starts once this much time has passed. */
  timeBudgetMs: number;
}

type Unit = BumpUnit;

export async function bisectChanges(options: BisectChangesOptions): Promise<BisectionResult> {
  const startedMs = performance.now();
  const { log } = options;
  // A transitive unit of lockfile removals only cannot be forced by an override; it stays as base has it.
  const [applicable, unapplicable] = partition(options.units, (unit) => appliedChanges(unit).length > 0);
  const steps: BisectionStep[] = [];
  const finish = (outcome: BisectionOutcome): BisectionResult => ({
    outcome,
    steps,
    units: options.units.map((unit) => ({
      lead: unit.lead,
      kind: unit.kind,
      packages: namesOf(unit.changes),
    })),
    candidateCount: steps.length,
    notBisected: namesOf(unapplicable.flatMap((unit) => unit.changes)),
    durationMs: performance.now() - startedMs,
  });
  if (applicable.length === 1 && unapplicable.length === 0) {
    log(`bisect: one bump (${applicable[0]?.lead}): it is the culprit, nothing more to measure`);
    return finish(onlyBump(applicable[0] as Unit, options.headReport));
  }

  const probe = prober(options, startedMs, steps);
  let units = applicable;
  let suspects = units;
  // The smallest set measured to regress; the full head to start with.
  let smallestRegressing = units;
  for (;;) {
    if (suspects.length === 1) {
      const alone = await probe(suspects, true);
      if (alone === 'out-of-time') return finish(outOfTime());
      // Measured earlier as a half of two, it is the culprit alone all the same: that run is the confirmation.
      if (alone.step.verdict === 'regression') alone.step.isConfirmation = true;
      return finish(concludeAlone(alone.step, suspects, smallestRegressing, options.headReport));
    }
    const middle = Math.floor(suspects.length / 2);
    const [left, right] = [suspects.slice(0, middle), suspects.slice(middle)];
    const first = await probe(left, false);
    if (first === 'out-of-time') return finish(outOfTime());
    if (first.step.verdict === 'regression') {
      suspects = smallestRegressing = left;
      continue;
    }
    if (first.step.verdict === 'clean') {
      // Not measured: the halving assumes right carries the leak; the final run alone (or an interaction) checks it.
      suspects = right;
      continue;
    }
    const merged = mergeConflicting(units, first.conflictingPackages);
    if (merged) {
      log(`bisect: ${merged.joined.join(', ')} only install together; bisecting them as one`);
      units = merged.units;
      suspects = mergeInto(suspects, merged.units);
      continue;
    }
    const second = await probe(right, false);
    if (second === 'out-of-time') return finish(outOfTime());
    if (second.step.verdict !== 'regression')
      return finish({
        kind: 'inconclusive',
        reason: `${left.flatMap(appliedNames).join(', ')} could not be built without the other bumps, and the rest did not reproduce the leak`,
      });
    suspects = smallestRegressing = right;
  }
}

/** Measures base plus some units once per distinct set; none starts after the time budget. */
function prober(options: BisectChangesOptions, startedMs: number, steps: BisectionStep[]) {
  const probes = new Map<string, MeasuredCandidate>();
  return async (units: Unit[], isConfirmation: boolean): Promise<MeasuredCandidate | 'out-of-time'> => {
    const packages = units.flatMap(appliedNames);
    const key = packages.join(' ');
    const known = probes.get(key);
    if (known) return known;
    if (performance.now() - startedMs > options.timeBudgetMs) return 'out-of-time';
    options.log(`bisect: candidate ${probes.size + 1}: base + ${key}`);
    const changes = units.flatMap(appliedChanges);
    const folder = `bisect/${probes.size + 1}`;
    const result = await measureCandidate(options, { packages, changes, folder, isConfirmation });
    options.log(`bisect: ${key}: ${result.step.verdict} (${result.step.reason})`);
    probes.set(key, result);
    steps.push(result.step);
    return result;
  };
}

/** What a candidate applies: a bump's lead (its package manager brings the rest), a transitive unit's versions. */
export function appliedChanges(unit: Unit): DependencyChange[] {
  if (unit.kind === 'bump') return unit.changes.slice(0, 1);
  return unit.changes.filter((change) => change.to !== null);
}

function appliedNames(unit: Unit): string[] {
  return unit.kind === 'bump' ? [unit.lead] : namesOf(appliedChanges(unit));
}

/** The PR's only bump is the culprit: head is that bump alone, so head's comparison is its measurement. */
function onlyBump(unit: Unit, head: CompareReport): BisectionOutcome {
  return {
    kind: 'culprit',
    changes: unit.changes,
    slopeBytesPerRequest: primaryFit(head.head)?.steady?.slope ?? null,
    deltaBytesPerRequest: head.comparison.deltaBytesPerRequest,
    isConfirmed: true,
    confirmation: 'only-bump',
  };
}

function concludeAlone(
  step: BisectionStep,
  suspects: Unit[],
  smallestRegressing: Unit[],
  head: CompareReport,
): BisectionOutcome {
  const changes = suspects.flatMap((unit) => unit.changes);
  if (step.verdict === 'regression') {
    const confirmation = confirmationOf(step, head);
    return {
      kind: 'culprit',
      changes,
      slopeBytesPerRequest: step.slopeBytesPerRequest,
      deltaBytesPerRequest: step.deltaBytesPerRequest,
      isConfirmed: confirmation !== 'none',
      confirmation,
    };
  }
  if (step.verdict === 'clean' && smallestRegressing.length > 1) {
    return { kind: 'interaction', changes: smallestRegressing.flatMap((unit) => unit.changes) };
  }
  return { kind: 'inconclusive', reason: `${step.packages.join(', ')} alone: ${step.reason}` };
}

/** Deaths count: a culprit that runs out of memory alone reproduces a head that did; else the slopes must agree. */
export function confirmationOf(step: BisectionStep, head: CompareReport): CulpritConfirmation {
  const headDied = diedAfter(head.head) !== null;
  if (headDied || step.diedAfterRequests !== null) {
    return headDied && step.diedAfterRequests !== null ? 'ran-out-of-memory' : 'none';
  }
  return reproducesHeadSlope(step, primaryFit(head.head)?.steady ?? null) ? 'slope' : 'none';
}

/**
 * Two runs of one app differ by more than their intervals say: the same grouped head measured 4.74 and
 * 5.06 KB/request in one bisection (7 %), each with a ±2.3 % interval. Slopes this close count as one leak.
 */
const RUN_TO_RUN_SPREAD = 0.1;

/**
 * The culprit alone reproduces the head when the two slopes differ by less than their 95 % half-widths
 * together plus the spread between runs.
 */
export function reproducesHeadSlope(
  step: Pick<BisectionStep, 'slopeBytesPerRequest' | 'slopeInterval'>,
  head: Pick<SlopeFit, 'slope' | 'low' | 'high'> | null,
): boolean {
  if (!head || step.slopeBytesPerRequest === null || step.slopeInterval === null) return false;
  const halfWidths = (head.high - head.low) / 2 + (step.slopeInterval.high - step.slopeInterval.low) / 2;
  const tolerance = halfWidths + RUN_TO_RUN_SPREAD * Math.abs(head.slope);
  return Math.abs(step.slopeBytesPerRequest - head.slope) <= tolerance;
}

/** Units holding any of the named packages become one; null when that joins nothing new. */
function mergeConflicting(units: Unit[], named: string[]): { units: Unit[]; joined: string[] } | null {
  const touched = units.filter((unit) => unit.changes.some((change) => named.includes(change.name)));
  if (touched.length < 2) return null;
  // A merged unit applies each part as its own kind would: a transitive unit keeps its leads as bumps.
  const joined: Unit = {
    lead: touched.map((unit) => unit.lead).join(' + '),
    kind: 'transitive',
    changes: touched.flatMap(appliedChanges),
  };
  const first = units.indexOf(touched[0] as Unit);
  const rest = units.filter((unit) => !touched.includes(unit));
  return {
    units: [...rest.slice(0, first), joined, ...rest.slice(first)],
    joined: touched.map((unit) => unit.lead),
  };
}

/** The suspects after a merge: every merged unit that shares a package with the old suspects. */
function mergeInto(suspects: Unit[], units: Unit[]): Unit[] {
  const names = new Set(suspects.flatMap((unit) => unit.changes.map((change) => change.name)));
  return units.filter((unit) => unit.changes.some((change) => names.has(change.name)));
}

function outOfTime(): BisectionOutcome {
  return { kind: 'inconclusive', reason: 'the bisection time budget ran out' };
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function namesOf(changes: readonly DependencyChange[]): string[] {
  return changes.map((change) => change.name);
}
