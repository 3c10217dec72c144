// From two git refs to a verdict: dependency diff, merge-base baseline, worktrees, install and build, measurement.
// The CLI's `compare --base/--head` and the action's `mode: full`/`measure` both run this.
import { dirname, join } from 'node:path';
import { bisectChanges } from '../bisect/bisect.js';
import type { CandidateBase } from '../bisect/measure-candidate.js';
import { defaultRemedyTimeBudgetMs, findRemedy } from '../bisect/remedy.js';
import { diffDependencies } from '../deps/diff.js';
import { startBuildNetwork } from '../measure/build-network.js';
import { compareApps, type EngineContext } from '../measure/compare.js';
import type { BisectionResult } from '../model/bisect.js';
import type { DependencyChange, DependencyDiff } from '../model/deps.js';
import type { CompareReport } from '../model/report.js';
import type { BaseCacheStore } from '../prepare/base-cache.js';
import { type Baseline, resolveBaseline } from '../prepare/baseline.js';
import {
  type NodeSource,
  nodeOnPathVersion,
  resolveSideRuntimes,
  type SideRuntimes,
} from '../prepare/node-runtime.js';
import { type PreparedBoth, prepareBoth } from '../prepare/prepare-both.js';
import { nodeOnPath } from '../process/env.js';
import { openIsolation } from '../process/isolation/open.js';
import { runInSandbox } from '../process/isolation/sandbox.js';
import { leakwatchVersion, probePath } from '../process/package-files.js';
import { enterPhase } from '../process/time-limit.js';
import { loadScenario } from '../scenario/load.js';
import { buildRunPlan } from '../settings/read.js';
import { type PlanSettings, settings } from '../settings/table.js';
import { reportOfUnbuiltSides } from './unbuilt.js';

export interface CompareRefsOptions {
  repoDir: string;
  /** The PR's base branch or any ref: the baseline is its merge base with head. */
  baseRef: string;
  headRef: string;
  /** The app's folder relative to the repository root. */
  workingDirectory: string;
  installCommand?: string;
  buildCommand?: string;
  settings: PlanSettings;
  /** Built-in scenario name or a path relative to the app folder (read from the head worktree). */
  scenario?: string;
  /** Measure even when no dependency changed. */
  isForced: boolean;
  /** Variables passed to the install only (`install-env`). */
  installEnv?: readonly string[];
  /** Where install, build and app logs go; the caller owns it. */
  logDir: string;
  /** Keep heap snapshots here instead of deleting them after the analysis. */
  keepSnapshotsDir?: string;
  /** Where a pinned Node.js comes from when the runtime changed. Default `auto`. */
  nodeSource?: NodeSource;
  /** Name the culprit of a grouped bump after a regression. Default: on, with the setting's time budget. */
  bisect?: { isEnabled: boolean; timeBudgetMs?: number };
  /** Restore base's installed and built app from here when the key matches, else save it. Default: none. */
  baseCache?: BaseCacheStore;
  /** Once the culprit is known, measure its newer releases for one that does not leak. Default: on. */
  remedy?: { isEnabled: boolean; timeBudgetMs?: number };
  /**
   * Gets a measured outcome as soon as it is known, before both worktrees and the sandbox users are removed
   * (seconds, tens of seconds on a loaded runner, that the result does not need): the CLI writes its report here.
   */
  onOutcome?: (outcome: CompareRefsOutcome) => Promise<void>;
  log: (line: string) => void;
}

export type CompareRefsOutcome =
  | { kind: 'skipped'; reason: string; dependencyChanges: DependencyChange[] }
  | { kind: 'compared'; report: CompareReport };

export async function compareRefs(options: CompareRefsOptions): Promise<CompareRefsOutcome> {
  const { log } = options;
  const baseline = await resolveBaseline({
    repoDir: options.repoDir,
    baseRef: options.baseRef,
    headRef: options.headRef,
    log,
  });
  log(
    `baseline: merge base ${baseline.mergeBaseSha.slice(0, 12)} of ${options.baseRef} and ${options.headRef}`,
  );
  const diff = await diffDependencies({
    repoDir: options.repoDir,
    baseRef: baseline.mergeBaseSha,
    headRef: baseline.headSha,
    workingDirectory: options.workingDirectory,
  });
  log(`dependency changes: ${diff.changes.length}${describeSources(diff)}`);
  if (diff.changes.length === 0 && !options.isForced) {
    return {
      kind: 'skipped',
      reason: 'no dependency changes between the merge base and head',
      dependencyChanges: [],
    };
  }
  // Untrusted code starts here: install, build, apps and stubs run as sandbox users when leakwatch can make them.
  enterPhase('install and build');
  await using sandbox = await openIsolation({ repoDir: options.repoDir, log });
  return await runInSandbox(sandbox, () => prepareAndMeasure(options, baseline, diff));
}

/** Where the changes were read: a Node.js bump alone comes from its pin file, not from the lockfile. */
function describeSources(diff: DependencyDiff): string {
  const runtimePin = diff.nodePins.head ?? diff.nodePins.base;
  const sources = [
    diff.lockfilePath && diff.changes.some((change) => !change.isRuntime)
      ? `from ${diff.lockfilePath}`
      : null,
    runtimePin && diff.changes.some((change) => change.isRuntime)
      ? `Node.js from ${runtimePin.source}`
      : null,
  ].filter((source) => source !== null);
  return sources.length > 0 ? ` (${sources.join('; ')})` : '';
}

async function prepareAndMeasure(
  options: CompareRefsOptions,
  baseline: Baseline,
  diff: DependencyDiff,
): Promise<CompareRefsOutcome> {
  const runtimes = await resolveSideRuntimes(diff, {
    source: options.nodeSource ?? 'auto',
    log: options.log,
  });
  await using prepared = await prepareSides(options, baseline, runtimes.binDirs);
  const outcome = await measurePrepared(options, baseline, runtimes, prepared);
  await options.onOutcome?.(outcome);
  return outcome;
}

/** Measures both prepared sides (or reports why not) and bisects a regression, inside `prepared`'s scope. */
async function measurePrepared(
  options: CompareRefsOptions,
  baseline: Baseline,
  runtimes: SideRuntimes,
  prepared: PreparedBoth,
): Promise<CompareRefsOutcome> {
  const { log } = options;
  const { binDirs } = runtimes;
  enterPhase('measurement');
  const scenario = await loadScenario({ nameOrPath: options.scenario, cwd: prepared.head.appDir });
  const plan = buildRunPlan(options.settings, scenario);
  const withChanges = {
    dependencyChanges: runtimes.changes,
    ...(prepared.base.cache ? { baseCache: prepared.base.cache } : {}),
    revisions: { baseSha: baseline.mergeBaseSha, headSha: baseline.headSha },
  };

  if (!prepared.base.result.ok || !prepared.head.result.ok) {
    // A project that builds only on an older Node.js fails on both sides: say which one they ran on.
    const runtime = binDirs.base
      ? ''
      : `Both ran on Node.js ${await nodeOnPathVersion()}, the node on PATH: if the project needs another, ` +
        'pin it (.nvmrc, .node-version or volta.node) and both sides run on that. ';
    const report = reportOfUnbuiltSides(prepared, plan, runtime);
    return { kind: 'compared', report: { ...report, ...withChanges } };
  }

  const context: EngineContext = {
    scenario,
    scenarioDir: scenario.sourcePath ? dirname(scenario.sourcePath) : prepared.head.appDir,
    probePath: probePath(),
    leakwatchVersion: leakwatchVersion(),
    bumpedPackages: runtimes.changes.filter((change) => !change.isRuntime).map((change) => change.name),
    keepSnapshotsDir: options.keepSnapshotsDir,
    workDir: join(options.logDir, 'apps'),
    log,
  };
  const report = await compareApps(
    { baseDir: prepared.base.appDir, headDir: prepared.head.appDir, nodeBinDirs: binDirs },
    plan,
    context,
  );
  // Inside `prepared`'s scope: candidates are measured against the base app it built, on base's Node.js; a
  // candidate that applies the runtime change runs on head's.
  const isBisecting = report.comparison.verdict === 'regression' && (options.bisect?.isEnabled ?? true);
  if (!isBisecting) return { kind: 'compared', report: { ...report, ...withChanges } };
  const candidateBase: CandidateBase = {
    repoDir: options.repoDir,
    baseSha: baseline.mergeBaseSha,
    workingDirectory: options.workingDirectory,
    buildCommand: options.buildCommand,
    baseAppDir: prepared.base.appDir,
    nodeBinDirs: binDirs,
    plan,
    context: { ...context, keepSnapshotsDir: undefined },
    logDir: options.logDir,
    log,
    leakBytesPerRequest: report.comparison.deltaBytesPerRequest ?? 0,
  };
  const bisection = await bisectRegression(options, candidateBase, runtimes.units, report);
  return { kind: 'compared', report: { ...report, ...withChanges, bisection } };
}

/** Both sides checked out, installed and built, each on its own Node.js when the runtime changed. */
function prepareSides(
  options: CompareRefsOptions,
  baseline: Baseline,
  binDirs: { base?: string; head?: string },
): Promise<PreparedBoth> {
  const { log } = options;
  return prepareBoth({
    repoDir: options.repoDir,
    baseSha: baseline.mergeBaseSha,
    headSha: baseline.headSha,
    workingDirectory: options.workingDirectory,
    installCommand: options.installCommand,
    buildCommand: options.buildCommand,
    logDir: options.logDir,
    baseCache: options.baseCache,
    sideEnv: { base: nodeOnPath(binDirs.base), head: nodeOnPath(binDirs.head) },
    installEnv: options.installEnv,
    // The scenario file belongs to the project: it is read from the head revision, like the rest of its config.
    // Builds that fetch the API (getStaticProps) are rerouted as the app is.
    buildNetwork: async (label, headAppDir) => {
      const scenario = await loadScenario({ nameOrPath: options.scenario, cwd: headAppDir });
      return startBuildNetwork({
        label,
        scenario,
        scenarioDir: scenario.sourcePath ? dirname(scenario.sourcePath) : headAppDir,
        outbound: buildRunPlan(options.settings, scenario).outbound,
        probePath: probePath(),
        log,
      });
    },
    log,
  });
}

/** After a regression: names the culprit of a grouped bump, then measures its newer releases for a remedy. */
async function bisectRegression(
  options: CompareRefsOptions,
  candidateBase: CandidateBase,
  units: SideRuntimes['units'],
  headReport: CompareReport,
): Promise<BisectionResult> {
  enterPhase('bisection');
  const bisection = await bisectChanges({
    ...candidateBase,
    units,
    headReport,
    timeBudgetMs: options.bisect?.timeBudgetMs ?? settings.bisectTimeBudgetMs.default,
  });
  const culprit = bisection.outcome.kind === 'culprit' ? bisection.outcome.changes[0] : undefined;
  if (culprit && (options.remedy?.isEnabled ?? true)) {
    bisection.remedy = await findRemedy({
      ...candidateBase,
      culprit,
      timeBudgetMs: options.remedy?.timeBudgetMs ?? defaultRemedyTimeBudgetMs,
    });
  }
  return bisection;
}
