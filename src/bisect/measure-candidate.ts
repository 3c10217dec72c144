// One candidate measured against the already-built base: base plus some changes, installed for real through the
// project's package manager, compared with the plan of the full comparison. Bisection and the remedy share it.
import { join } from 'node:path';
import { primaryFit } from '../analysis/analysis.js';
import { startBuildNetwork } from '../measure/build-network.js';
import { compareApps, type EngineContext } from '../measure/compare.js';
import type { BisectionStep } from '../model/bisect.js';
import type { DependencyChange } from '../model/deps.js';
import type { Comparison, RunPlan, SideResult } from '../model/report.js';
import { prepareCandidate } from './candidate.js';

export interface CandidateBase {
  repoDir: string;
  /** The merge base the base app was built from. */
  baseSha: string;
  workingDirectory: string;
  buildCommand?: string;
  /** The base app, installed and built once by prepareBoth; each candidate is measured against it. */
  baseAppDir: string;
  /** Each side's Node.js bin folder after a runtime bump (see resolveSideRuntimes); none without one. */
  nodeBinDirs?: { base?: string; head?: string };
  plan: RunPlan;
  context: EngineContext;
  /** Each candidate's install, build and app logs go in a folder of their own under it. */
  logDir: string;
  log: (line: string) => void;
  /** Head's leak (its delta over base, bytes/request): what each candidate is asked to reproduce. */
  leakBytesPerRequest: number;
}

export interface MeasuredCandidate {
  step: BisectionStep;
  /** Packages the package manager named in a dependency conflict. */
  conflictingPackages: string[];
}

export async function measureCandidate(
  options: CandidateBase,
  candidate: { packages: string[]; changes: DependencyChange[]; folder: string; isConfirmation: boolean },
): Promise<MeasuredCandidate> {
  const startedMs = performance.now();
  const step = (
    fields: Pick<BisectionStep, 'verdict' | 'reason'> & Partial<BisectionStep>,
  ): BisectionStep => ({
    packages: candidate.packages,
    slopeBytesPerRequest: null,
    slopeInterval: null,
    deltaBytesPerRequest: null,
    diedAfterRequests: null,
    isConfirmation: candidate.isConfirmation,
    durationMs: performance.now() - startedMs,
    ...fields,
  });
  // Base's Node.js, unless the candidate applies the runtime change: then it installs, builds and runs on head's.
  const nodeBinDir = candidate.changes.some((change) => change.isRuntime)
    ? options.nodeBinDirs?.head
    : options.nodeBinDirs?.base;
  await using prepared = await prepareCandidate({
    repoDir: options.repoDir,
    baseSha: options.baseSha,
    workingDirectory: options.workingDirectory,
    changes: candidate.changes,
    nodeBinDir,
    buildCommand: options.buildCommand,
    // The candidate builds as head's user (see prepareCandidate), from the scenario's fixtures.
    buildNetwork: () =>
      startBuildNetwork({
        label: 'head',
        scenario: options.context.scenario,
        scenarioDir: options.context.scenarioDir,
        outbound: options.plan.outbound,
        probePath: options.context.probePath,
        log: (line) => options.log(line.replace(/^head:/, 'candidate:')),
      }),
    logDir: options.logDir,
    log: options.log,
  });
  if (!prepared.ok) {
    const firstLine = prepared.logTail.split('\n').find((line) => /ERESOLVE|ERR!|error/i.test(line)) ?? '';
    return {
      step: step({
        verdict: prepared.stage === 'install' ? 'install-failed' : 'build-failed',
        reason: `failed to ${prepared.stage}${firstLine ? `: ${firstLine.trim().slice(0, 200)}` : ''}`,
      }),
      conflictingPackages: prepared.conflictingPackages,
    };
  }
  const report = await compareApps(
    {
      baseDir: options.baseAppDir,
      headDir: prepared.appDir,
      nodeBinDirs: { base: options.nodeBinDirs?.base, head: nodeBinDir },
    },
    // Heap snapshots explain the full head already; candidates only need a verdict.
    { ...options.plan, heapSnapshots: 'never' },
    { ...options.context, workDir: join(options.logDir, candidate.folder) },
  );
  const verdict = candidateVerdict(report.comparison, options.leakBytesPerRequest);
  const steady = primaryFit(report.head)?.steady;
  return {
    step: step({
      verdict,
      // Bisection sits above report/, where verdict sentences are written: the rule that decided stands in.
      reason: `${report.comparison.verdict} (rule ${report.comparison.finding.rule})`,
      slopeBytesPerRequest: steady?.slope ?? null,
      slopeInterval: steady ? { low: steady.low, high: steady.high } : null,
      deltaBytesPerRequest: report.comparison.deltaBytesPerRequest,
      diedAfterRequests: diedAfter(report.head),
    }),
    conflictingPackages: [],
  };
}

/** Requests sent before the side ran out of memory or hit the RSS watchdog; null when it survived. */
export function diedAfter(side: SideResult): number | null {
  const exit = side.exit;
  return exit?.kind === 'oom' || exit?.kind === 'watchdog' ? exit.requestsSent : null;
}

/**
 * A candidate is asked whether it carries head's leak, not whether it could see any leak: an interval that rules out
 * half of head's delta is clean, although the detection-limit rule cannot pass it. Any other inconclusive candidate
 * is neither clean nor a regression, so it steers neither the halving nor the remedy.
 */
export function candidateVerdict(
  comparison: Comparison,
  leakBytesPerRequest: number,
): BisectionStep['verdict'] {
  const { verdict, finding } = comparison;
  if (verdict === 'regression' || verdict === 'error') return verdict;
  if (verdict !== 'inconclusive') return 'clean';
  const rulesOutLeak =
    finding.rule === 'detection-limit' && finding.detectableBytesPerRequest < leakBytesPerRequest / 2;
  return rulesOutLeak ? 'clean' : 'inconclusive';
}
