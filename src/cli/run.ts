// Runs one CLI command over the engine. Takes its streams as parameters, so tests can run it in-process.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { diffFolders } from '../deps/diff.js';
import { compareApps, type EngineContext, measureApp } from '../measure/compare.js';
import type { DependencyChange } from '../model/deps.js';
import { type CompareRefsOutcome, compareRefs } from '../pipeline/pipeline.js';
import { folderStore } from '../prepare/base-cache.js';
import { leakwatchVersion, probePath } from '../process/package-files.js';
import { withTimeLimit } from '../process/time-limit.js';
import { renderCompareText, renderDependencyText, renderMeasureText } from '../report/terminal.js';
import { loadScenario } from '../scenario/load.js';
import { LeakwatchError } from '../settings/errors.js';
import { buildRunPlan } from '../settings/read.js';
import type { CliCommand, CompareRefsArgs, SharedOptions } from './args.js';
import { runRecord } from './record.js';

export interface CliIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour the verdict (a TTY without NO_COLOR; the entry decides). */
  isColor?: boolean;
}

const compareExitCode = {
  regression: 1,
  error: 2,
  inconclusive: 2,
  improvement: 0,
  unchanged: 0,
  'pre-existing': 0,
} as const;

const progress = (io: CliIo) => (line: string) => io.stderr(`leakwatch: ${line}\n`);

/** Returns the exit code: 0 pass, 1 regression or leak, 2 error. */
export async function runCliCommand(
  command: Exclude<CliCommand, { command: 'help' | 'version' }>,
  io: CliIo,
): Promise<number> {
  const limitMs = command.shared.timeLimitMinutes * 60_000;
  return withLogDir(command.shared, io, (logDir) =>
    withTimeLimit(limitMs, () => runWithLogDir(command, logDir, io)),
  );
}

/**
 * The logs folder: `--log-dir`, else a temp folder, deleted after a run that passed or found a regression and
 * kept after an error, whose messages point into it.
 */
async function withLogDir(
  shared: SharedOptions,
  io: CliIo,
  run: (logDir: string) => Promise<number>,
): Promise<number> {
  if (shared.logDir) return run(resolve(io.cwd, shared.logDir));
  const logDir = await mkdtemp(join(tmpdir(), 'leakwatch-logs-'));
  let exitCode = 2;
  try {
    exitCode = await run(logDir);
    return exitCode;
  } finally {
    // An error before anything ran (a bad ref, a bad scenario) leaves nothing behind: there is no log to keep.
    const isEmpty = (await readdir(logDir, { recursive: true }).catch(() => [])).length === 0;
    if (exitCode === 2 && !isEmpty) io.stderr(`leakwatch: logs kept in ${logDir}\n`);
    else await rm(logDir, { recursive: true, force: true });
  }
}

async function runWithLogDir(
  command: Exclude<CliCommand, { command: 'help' | 'version' }>,
  logDir: string,
  io: CliIo,
): Promise<number> {
  const { shared } = command;
  if (command.command === 'compare-refs') return runCompareRefs(command.refs, shared, logDir, io);
  if (command.command === 'record') return runRecord(command.record, shared, logDir, io);
  const scenario = await loadScenario({ nameOrPath: shared.scenario, cwd: io.cwd });
  const plan = buildRunPlan(shared.settings, scenario);
  const context: EngineContext = {
    scenario,
    scenarioDir: scenario.sourcePath ? dirname(scenario.sourcePath) : io.cwd,
    probePath: probePath(),
    leakwatchVersion: leakwatchVersion(),
    workDir: logDir,
    keepSnapshotsDir: shared.keepSnapshotsDir ? resolve(io.cwd, shared.keepSnapshotsDir) : undefined,
    log: progress(io),
  };

  if (command.command === 'compare') {
    const dirs = { baseDir: resolve(io.cwd, command.baseDir), headDir: resolve(io.cwd, command.headDir) };
    const changes = await folderChanges(dirs.baseDir, dirs.headDir, context.log);
    const bumpedPackages = changes?.map((change) => change.name);
    const measured = await compareApps(dirs, plan, { ...context, bumpedPackages });
    const report = changes ? { ...measured, dependencyChanges: changes } : measured;
    const text = renderCompareText(report, { isColor: io.isColor ?? false });
    await emit(report, changes ? `${text}\n\n${renderDependencyText(changes)}` : text, shared, io);
    return compareExitCode[report.comparison.verdict];
  }
  const report = await measureApp(resolve(io.cwd, command.appDir), plan, context);
  await emit(report, renderMeasureText(report, { isColor: io.isColor ?? false }), shared, io);
  return { leak: 1, crashed: 1, error: 2, plateau: 0, transient: 0, flat: 0 }[report.app.verdict];
}

/** What differs between the folders' own package.json and lockfiles; undefined when they cannot be read. */
async function folderChanges(
  baseDir: string,
  headDir: string,
  log: (line: string) => void,
): Promise<DependencyChange[] | undefined> {
  try {
    // Both folders run on the `node` on PATH: a different Node.js pin is not applied, so it is not listed.
    const changes = (await diffFolders(baseDir, headDir)).changes.filter((change) => !change.isRuntime);
    log(`dependency changes between the folders: ${changes.length}`);
    return changes;
  } catch (error) {
    if (!(error instanceof LeakwatchError)) throw error;
    log(`no dependency diff between the folders: ${error.message}`);
    return undefined;
  }
}

async function runCompareRefs(
  refs: CompareRefsArgs,
  shared: SharedOptions,
  logDir: string,
  io: CliIo,
): Promise<number> {
  const { cacheDir, ...rest } = refs;
  // The report goes out as soon as the outcome is known; removing the worktrees and sandbox users follows.
  let exitCode: number | undefined;
  const onOutcome = async (outcome: CompareRefsOutcome) => {
    exitCode = await emitOutcome(outcome, shared, io);
  };
  const outcome = await compareRefs({
    ...rest,
    repoDir: resolve(io.cwd, refs.repoDir),
    ...(cacheDir ? { baseCache: folderStore(resolve(io.cwd, cacheDir)) } : {}),
    settings: shared.settings,
    scenario: shared.scenario,
    logDir,
    keepSnapshotsDir: shared.keepSnapshotsDir ? resolve(io.cwd, shared.keepSnapshotsDir) : undefined,
    onOutcome,
    log: progress(io),
  });
  // A skip is known before anything was prepared: there is nothing to clean up, so it is reported here.
  return exitCode ?? (await emitOutcome(outcome, shared, io));
}

async function emitOutcome(outcome: CompareRefsOutcome, shared: SharedOptions, io: CliIo): Promise<number> {
  if (outcome.kind === 'skipped') {
    io.stderr(`leakwatch: skipped: ${outcome.reason} (use --force to measure anyway)\n`);
    await emit(outcome, `SKIPPED: ${outcome.reason}`, shared, io);
    return 0;
  }
  const { report } = outcome;
  await emit(
    report,
    `${renderCompareText(report, { isColor: io.isColor ?? false })}\n\n${renderDependencyText(report.dependencyChanges ?? [])}`,
    shared,
    io,
  );
  return compareExitCode[report.comparison.verdict];
}

async function emit(report: object, text: string, shared: SharedOptions, io: CliIo): Promise<void> {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (shared.reportPath) await writeFile(resolve(io.cwd, shared.reportPath), json);
  if (shared.json) io.stdout(json);
  else io.stdout(`${text}\n`);
}
