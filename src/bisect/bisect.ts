// After a grouped bump regressed: halve the set of bumps, measuring base plus each half against the already-built
// base, until one package (or a set that only installs together) explains the leak, then confirm it alone.
import { join } from 'node:path';
import { primaryFit } from '../analysis/analysis.js';
import { compareApps, type EngineContext } from '../measure/compare.js';
import type { BisectionOutcome, BisectionResult, BisectionStep } from '../model/bisect.js';
import type { DependencyChange } from '../model/deps.js';
import type { CompareReport, RunPlan, SlopeFit } from '../model/report.js';
import { prepareCandidate } from './candidate.js';

/** Enough for the ~4 candidates of an 8-package group with installs and default-length measurements. */
export const defaultBisectTimeBudgetMs = 20 * 60_000;

export interface BisectChangesOptions {
  repoDir: string;
  /** The merge base the base app was built from. */
  baseSha: string;
  workingDirectory: string;
  buildCommand?: string;
  /** Every bump between base and head. */
  changes: readonly DependencyChange[];
  /** The base app, installed and built once by prepareBoth; each candidate is measured against it. */
  baseAppDir: string;
  plan: RunPlan;
  context: EngineContext;
  /** The comparison of base and the full head that said `regression`. */
  headReport: CompareReport;
  /** No new candidate starts once this much time has passed. */
  timeBudgetMs: number;
  /** Each candidate's install, build and app logs go in a folder of their own under it. */
  logDir: string;
  log: (line: string) => void;
}

/** A bump or bumps that go into every candidate together. */
type Unit = DependencyChange[];

interface Probe {
  step: BisectionStep;
  conflictingPackages: string[];
}

export async function bisectChanges(options: BisectChangesOptions): Promise<BisectionResult> {
  const startedMs = performance.now();
  const { log } = options;
  // A package that left only the lockfile cannot be forced out by an override; it stays as base has it.
  const notBisected = options.changes.filter((change) => !change.direct && change.to === null);
  const steps: BisectionStep[] = [];
  const probes = new Map<string, Probe>();

  const probe = async (units: Unit[], isConfirmation: boolean): Promise<Probe | 'out-of-time'> => {
    const changes = units.flat();
    const key = namesOf(changes).join(' ');
    const known = probes.get(key);
    if (known) return known;
    if (performance.now() - startedMs > options.timeBudgetMs) return 'out-of-time';
    log(`bisect: candidate ${probes.size + 1}: base + ${key}`);
    const result = await measureCandidate(options, changes, probes.size + 1, isConfirmation);
    log(`bisect: ${key}: ${result.step.verdict} (${result.step.reason})`);
    probes.set(key, result);
    steps.push(result.step);
    return result;
  };

  let units: Unit[] = options.changes.filter((change) => !notBisected.includes(change)).map((c) => [c]);
  let suspects = units;
  // The smallest set measured to regress; the full head to start with.
  let smallestRegressing = units;
  let outcome: BisectionOutcome | undefined;
  while (!outcome) {
    if (suspects.length === 1) {
      const alone = await probe(suspects, true);
      outcome =
        alone === 'out-of-time' ? outOfTime() : concludeAlone(alone, suspects, smallestRegressing, options);
      if (alone !== 'out-of-time' && alone.step.verdict === 'regression') alone.step.isConfirmation = true;
      break;
    }
    const middle = Math.floor(suspects.length / 2);
    const [left, right] = [suspects.slice(0, middle), suspects.slice(middle)];
    const first = await probe(left, false);
    if (first === 'out-of-time') {
      outcome = outOfTime();
      break;
    }
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
    if (second === 'out-of-time') outcome = outOfTime();
    else if (second.step.verdict === 'regression') suspects = smallestRegressing = right;
    else
      outcome = {
        kind: 'inconclusive',
        reason: `${namesOf(left.flat()).join(', ')} could not be built without the other bumps, and the rest did not reproduce the leak`,
      };
  }
  return {
    outcome,
    steps,
    candidateCount: steps.length,
    notBisected: namesOf(notBisected),
    durationMs: performance.now() - startedMs,
  };
}

async function measureCandidate(
  options: BisectChangesOptions,
  changes: DependencyChange[],
  index: number,
  isConfirmation: boolean,
): Promise<Probe> {
  const startedMs = performance.now();
  const packages = namesOf(changes);
  const step = (
    fields: Pick<BisectionStep, 'verdict' | 'reason'> & Partial<BisectionStep>,
  ): BisectionStep => ({
    packages,
    slopeBytesPerRequest: null,
    slopeInterval: null,
    deltaBytesPerRequest: null,
    isConfirmation,
    durationMs: performance.now() - startedMs,
    ...fields,
  });
  await using candidate = await prepareCandidate({
    repoDir: options.repoDir,
    baseSha: options.baseSha,
    workingDirectory: options.workingDirectory,
    changes,
    buildCommand: options.buildCommand,
    logDir: options.logDir,
    log: options.log,
  });
  if (!candidate.ok) {
    const firstLine = candidate.logTail.split('\n').find((line) => /ERESOLVE|ERR!|error/i.test(line)) ?? '';
    return {
      step: step({
        verdict: candidate.stage === 'install' ? 'install-failed' : 'build-failed',
        reason: `failed to ${candidate.stage}${firstLine ? `: ${firstLine.trim().slice(0, 200)}` : ''}`,
      }),
      conflictingPackages: candidate.conflictingPackages,
    };
  }
  const report = await compareApps(
    { baseDir: options.baseAppDir, headDir: candidate.appDir },
    // Heap snapshots explain the full head already; candidates only need a verdict.
    { ...options.plan, heapSnapshots: 'never' },
    {
      ...options.context,
      workDir: join(options.logDir, 'bisect', String(index)),
    },
  );
  const verdict = report.comparison.verdict;
  const steady = primaryFit(report.head)?.steady;
  return {
    step: step({
      verdict: verdict === 'regression' ? 'regression' : verdict === 'error' ? 'error' : 'clean',
      reason: report.comparison.reason,
      slopeBytesPerRequest: steady?.slope ?? null,
      slopeInterval: steady ? { low: steady.low, high: steady.high } : null,
      deltaBytesPerRequest: report.comparison.deltaBytesPerRequest,
    }),
    conflictingPackages: [],
  };
}

function concludeAlone(
  alone: Probe,
  suspects: Unit[],
  smallestRegressing: Unit[],
  options: BisectChangesOptions,
): BisectionOutcome {
  const { step } = alone;
  const changes = suspects.flat();
  if (step.verdict === 'regression' && step.slopeBytesPerRequest !== null) {
    return {
      kind: 'culprit',
      changes,
      slopeBytesPerRequest: step.slopeBytesPerRequest,
      deltaBytesPerRequest: step.deltaBytesPerRequest ?? 0,
      isConfirmed: reproducesHeadSlope(step, primaryFit(options.headReport.head)?.steady ?? null),
    };
  }
  if (step.verdict === 'clean' && smallestRegressing.length > 1) {
    return { kind: 'interaction', changes: smallestRegressing.flat() };
  }
  return { kind: 'inconclusive', reason: `${namesOf(changes).join(', ')} alone: ${step.reason}` };
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
  const touched = units.filter((unit) => unit.some((change) => named.includes(change.name)));
  if (touched.length < 2) return null;
  const joined = touched.flat();
  const first = units.indexOf(touched[0] as Unit);
  const rest = units.filter((unit) => !touched.includes(unit));
  return { units: [...rest.slice(0, first), joined, ...rest.slice(first)], joined: namesOf(joined) };
}

/** The suspects after a merge: every merged unit that shares a package with the old suspects. */
function mergeInto(suspects: Unit[], units: Unit[]): Unit[] {
  const names = new Set(suspects.flat().map((change) => change.name));
  return units.filter((unit) => unit.some((change) => names.has(change.name)));
}

function outOfTime(): BisectionOutcome {
  return { kind: 'inconclusive', reason: 'the bisection time budget ran out' };
}

function namesOf(changes: readonly DependencyChange[]): string[] {
  return changes.map((change) => change.name);
}
