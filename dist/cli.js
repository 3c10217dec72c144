#!/usr/bin/env node
import { createRequire as __leakwatchCreateRequire } from 'node:module'; const require = __leakwatchCreateRequire(import.meta.url);
import {
  LeakwatchError,
  buildRunPlan,
  compareApps,
  compareRefs,
  defaults,
  formatBytes,
  leakwatchVersion,
  loadScenario,
  markdownTable,
  measureApp,
  probePath
} from "./chunks/chunk-TK6FF3YC.js";

// src/cli/args.ts
import { parseArgs } from "node:util";
var usage = `Usage:
  leakwatch compare --base <ref> --head <ref> [options]           diff, check out, install, build and compare
  leakwatch compare --base-dir <dir> --head-dir <dir> [options]   compare two prepared app folders
  leakwatch measure [--dir <dir>] [options]                        measure one app

Options of compare --base/--head:
  --repo <dir>            the git checkout (default: the current folder); it is never modified
  --cwd <dir>             the app folder, relative to the repository root (default: .)
  --install <cmd>         install command (default: the package manager's frozen-lockfile install)
  --build <cmd>           build command (default: the \`build\` script, if package.json has one)
  --force                 measure even when no dependency changed
  --no-bisect             after a regression of a grouped bump, do not bisect it to name the culprit

Options:
  --start <cmd>           start command, run in the app folder with PORT set (default: ${defaults.startCommand})
  --ready-path <path>     path that answers < 500 once the app is ready (default: ${defaults.readyPath})
  --scenario <name|file>  built-in scenario name or scenario file (default: ${defaults.scenario})
  --heap-cap-mb <n>       --max-old-space-size for the app (default: ${defaults.heapCapMb})
  --rss-limit-mb <n>      RSS watchdog (default: ${defaults.rssLimitFactor} x heap cap)
  --threshold <n>         bytes/request of extra growth that counts as a regression (default: ${defaults.thresholdBytesPerRequest})
  --connections <n>       concurrent connections (default: ${defaults.connections})
  --warmup <n>            warm-up requests per side, not fitted (default: ${defaults.warmupRequests})
  --requests <n>          requests per measured round (default: ${defaults.requestsPerRound})
  --rounds <n>            measured rounds per side (default: ${defaults.rounds})
  --seed <n>              seed of the request sequence (default: ${defaults.seed})
  --settle-ms <n>         idle before the settle samples, 0 = off (default: ${defaults.settleMs})
  --time-budget-ms <n>    load time per side that warm-up and rounds shrink to fit (default: ${defaults.timeBudgetMs})
  --rate <n>              cap the request rate (requests/s), e.g. to production's (default: as fast as served)
  --heap-snapshots <when> on-regression, always or never: heap snapshots that name what grows (default: ${defaults.heapSnapshots})
  --keep-heap-snapshots <dir>  keep the heap snapshots in <dir> (default: deleted after the analysis)
  --json                  print the JSON report on stdout (progress stays on stderr)
  --report <file>         also write the JSON report to <file>
  --log-dir <dir>         keep install, build and app logs here (default: a temp folder, kept only after an error)

Exit codes: 0 no regression, 1 regression (or a leak, for measure), 2 error.`;
var heapSnapshotPolicies = ["on-regression", "always", "never"];
var numberOptions = {
  "heap-cap-mb": "heapCapMb",
  "rss-limit-mb": "rssLimitMb",
  threshold: "thresholdBytesPerRequest",
  connections: "connections",
  warmup: "warmupRequests",
  requests: "requestsPerRound",
  rounds: "rounds",
  seed: "seed",
  "settle-ms": "settleMs",
  "time-budget-ms": "timeBudgetMs",
  rate: "ratePerSecond"
};
function parseCliArgs(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
      dir: { type: "string" },
      "base-dir": { type: "string" },
      "head-dir": { type: "string" },
      base: { type: "string" },
      head: { type: "string" },
      repo: { type: "string" },
      cwd: { type: "string" },
      install: { type: "string" },
      build: { type: "string" },
      force: { type: "boolean" },
      "no-bisect": { type: "boolean" },
      start: { type: "string" },
      "ready-path": { type: "string" },
      scenario: { type: "string" },
      json: { type: "boolean" },
      report: { type: "string" },
      "log-dir": { type: "string" },
      "heap-snapshots": { type: "string" },
      "keep-heap-snapshots": { type: "string" },
      ...Object.fromEntries(Object.keys(numberOptions).map((name) => [name, { type: "string" }]))
    }
  });
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const settings = { startCommand: values.start };
  if (values["ready-path"] !== void 0) settings.readyPath = values["ready-path"];
  const heapSnapshots = values["heap-snapshots"];
  if (heapSnapshots !== void 0) {
    if (!heapSnapshotPolicies.includes(heapSnapshots)) {
      throw usageError(
        `\`--heap-snapshots\` must be one of ${heapSnapshotPolicies.join(", ")} (got \`${heapSnapshots}\`)`
      );
    }
    settings.heapSnapshots = heapSnapshots;
  }
  for (const [flag, key] of Object.entries(numberOptions)) {
    const raw = values[flag];
    if (typeof raw === "string") settings[key] = parseNumber(flag, raw);
  }
  const shared = {
    settings,
    scenario: values.scenario,
    json: Boolean(values.json),
    reportPath: values.report,
    logDir: values["log-dir"],
    keepSnapshotsDir: values["keep-heap-snapshots"]
  };
  const [command, ...rest] = positionals;
  if (rest.length > 0) throw usageError(`unexpected argument \`${rest[0]}\``);
  if (command === "measure") return { command, appDir: values.dir ?? ".", shared };
  if (command === "compare" && (values.base !== void 0 || values.head !== void 0)) {
    if (!values.base || !values.head) throw usageError("`compare` needs both --base and --head");
    return {
      command: "compare-refs",
      refs: {
        baseRef: values.base,
        headRef: values.head,
        repoDir: values.repo ?? ".",
        workingDirectory: values.cwd ?? ".",
        installCommand: values.install,
        buildCommand: values.build,
        isForced: Boolean(values.force),
        bisect: { isEnabled: !values["no-bisect"] }
      },
      shared
    };
  }
  if (command === "compare") {
    const baseDir = values["base-dir"];
    const headDir = values["head-dir"];
    if (!baseDir || !headDir)
      throw usageError("`compare` needs --base and --head (git refs), or --base-dir and --head-dir");
    return { command, baseDir, headDir, shared };
  }
  throw usageError(command ? `unknown command \`${command}\`` : "no command given");
}
function parseNumber(flag, raw) {
  const value = Number(raw);
  const [isValid, expected] = flag === "seed" || flag === "settle-ms" ? [Number.isInteger(value) && value >= 0, "a whole number \u2265 0"] : flag === "threshold" ? [Number.isFinite(value) && value > 0, "a number > 0"] : [Number.isInteger(value) && value > 0, "a whole number > 0"];
  if (!isValid || raw.trim() === "") throw usageError(`\`--${flag}\` must be ${expected} (got \`${raw}\`)`);
  return value;
}
function usageError(message) {
  return new LeakwatchError("USAGE", message, { hint: "Run `leakwatch --help` for the options." });
}

// src/cli/run.ts
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

// src/report/terminal.ts
var verdictLabels = {
  regression: "FAIL: regression",
  improvement: "PASS: improvement",
  unchanged: "PASS: no regression",
  "pre-existing": "WARN: pre-existing leak",
  error: "ERROR"
};
var metricLabels = {
  heapPlusExternal: "heap + external (B/req)",
  arrayBuffers: "arrayBuffers (B/req)",
  rss: "RSS (B/req)",
  activeResources: "active resources (/req)"
};
function formatFit(fit, metric) {
  if (!fit) return "n/a";
  if (metric === "activeResources")
    return `${fit.slope.toFixed(4)} [${fit.low.toFixed(4)}, ${fit.high.toFixed(4)}]`;
  return `${formatBytes(fit.slope)} [${formatBytes(fit.low)}, ${formatBytes(fit.high)}]`;
}
function describeSide(side) {
  if (side.error)
    return `${side.label}: ${side.error.message}${side.error.hint ? `
  hint: ${side.error.hint}` : ""}`;
  const exit = side.exit ? `, stopped: ${side.exit.kind} after ${side.exit.requestsSent} requests` : "";
  return `${side.label}: ${side.load.requests} requests at ${Math.round(side.load.requestsPerSecond)} req/s, p99 ${side.load.latencyP99Ms} ms, ${side.samples.length} samples${exit}`;
}
function fitTable(sides) {
  const header = ["metric (steady slope, 95 % CI)", ...sides.map((side) => side.label)];
  const rows = Object.keys(metricLabels).map((metric) => [
    metricLabels[metric],
    ...sides.map((side) => {
      const fit = side.fits.find((candidate) => candidate.metric === metric);
      return fit ? `${formatFit(fit.steady, metric)} ${fit.verdict ?? ""}`.trim() : "n/a";
    })
  ]);
  return markdownTable([header, ...rows]);
}
function renderDependencyText(changes) {
  if (changes.length === 0) return "dependency changes: none";
  const rows = changes.map((change) => [
    change.name,
    `${change.from ?? "(none)"} \u2192 ${change.to ?? "(removed)"}`,
    change.kind,
    change.direct ? "direct" : "transitive"
  ]);
  return markdownTable([["package", "version", "kind", "dependency"], ...rows]);
}
function describeHeapDiffs(diffs) {
  return (diffs ?? []).flatMap((diff) => {
    if (diff.status === "skipped") return [`${diff.label} heap diff: skipped (${diff.reason})`];
    if (diff.growing.length === 0) return [`${diff.label} heap diff: nothing grows steadily`];
    return [
      `${diff.label} heap diff, what grows per request over ${diff.requests} requests:`,
      ...diff.growing.slice(0, 5).flatMap((row) => [
        `  ${row.name}: +${row.objectsPerRequest.toFixed(2)} objects, ${formatBytes(row.bytesPerRequest)}${row.bumpedPackages.length > 0 ? ` [bumped: ${row.bumpedPackages.join(", ")}]` : ""}`,
        ...row.retainerPath ? [`    held by ${row.retainerPath}`] : []
      ])
    ];
  });
}
function renderCompareText(report) {
  const { comparison } = report;
  const heap = describeHeapDiffs(report.heapDiffs);
  return [
    fitTable([report.base, report.head]),
    "",
    describeSide(report.base),
    describeSide(report.head),
    ...heap.length > 0 ? ["", ...heap] : [],
    "",
    `${verdictLabels[comparison.verdict]}: ${comparison.reason}`
  ].join("\n");
}
function renderMeasureText(report) {
  return [fitTable([report.app]), "", describeSide(report.app), "", `verdict: ${report.app.verdict}`].join(
    "\n"
  );
}

// src/cli/run.ts
var compareExitCode = { regression: 1, error: 2, improvement: 0, unchanged: 0, "pre-existing": 0 };
var progress = (io) => (line) => io.stderr(`leakwatch: ${line}
`);
async function runCliCommand(command, io) {
  return withLogDir(command.shared, io, (logDir) => runWithLogDir(command, logDir, io));
}
async function withLogDir(shared, io, run) {
  if (shared.logDir) return run(resolve(io.cwd, shared.logDir));
  const logDir = await mkdtemp(join(tmpdir(), "leakwatch-logs-"));
  let exitCode = 2;
  try {
    exitCode = await run(logDir);
    return exitCode;
  } finally {
    if (exitCode === 2) io.stderr(`leakwatch: logs kept in ${logDir}
`);
    else await rm(logDir, { recursive: true, force: true });
  }
}
async function runWithLogDir(command, logDir, io) {
  const { shared } = command;
  if (command.command === "compare-refs") return runCompareRefs(command.refs, shared, logDir, io);
  const scenario = await loadScenario({ nameOrPath: shared.scenario, cwd: io.cwd });
  const plan = buildRunPlan(shared.settings, scenario);
  const context = {
    scenario,
    scenarioDir: scenario.sourcePath ? dirname(scenario.sourcePath) : io.cwd,
    probePath: probePath(),
    leakwatchVersion: leakwatchVersion(),
    workDir: logDir,
    keepSnapshotsDir: shared.keepSnapshotsDir ? resolve(io.cwd, shared.keepSnapshotsDir) : void 0,
    log: progress(io)
  };
  if (command.command === "compare") {
    const report2 = await compareApps(
      { baseDir: resolve(io.cwd, command.baseDir), headDir: resolve(io.cwd, command.headDir) },
      plan,
      context
    );
    await emit(report2, renderCompareText(report2), shared, io);
    return compareExitCode[report2.comparison.verdict];
  }
  const report = await measureApp(resolve(io.cwd, command.appDir), plan, context);
  await emit(report, renderMeasureText(report), shared, io);
  return { leak: 1, crashed: 1, error: 2, plateau: 0, transient: 0, flat: 0 }[report.app.verdict];
}
async function runCompareRefs(refs, shared, logDir, io) {
  const outcome = await compareRefs({
    ...refs,
    repoDir: resolve(io.cwd, refs.repoDir),
    settings: shared.settings,
    scenario: shared.scenario,
    logDir,
    keepSnapshotsDir: shared.keepSnapshotsDir ? resolve(io.cwd, shared.keepSnapshotsDir) : void 0,
    log: progress(io)
  });
  if (outcome.kind === "skipped") {
    io.stderr(`leakwatch: skipped: ${outcome.reason} (use --force to measure anyway)
`);
    await emit(outcome, `SKIPPED: ${outcome.reason}`, shared, io);
    return 0;
  }
  const { report } = outcome;
  await emit(
    report,
    `${renderDependencyText(report.dependencyChanges ?? [])}

${renderCompareText(report)}`,
    shared,
    io
  );
  return compareExitCode[report.comparison.verdict];
}
async function emit(report, text, shared, io) {
  const json = `${JSON.stringify(report, null, 2)}
`;
  if (shared.reportPath) await writeFile(resolve(io.cwd, shared.reportPath), json);
  if (shared.json) io.stdout(json);
  else io.stdout(`${text}
`);
}

// src/cli.ts
async function main() {
  const io = {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text)
  };
  try {
    const command = parseCliArgs(process.argv.slice(2));
    if (command.command === "help" || command.command === "version") {
      io.stdout(`${command.command === "help" ? usage : leakwatchVersion()}
`);
      return 0;
    }
    return await runCliCommand(command, io);
  } catch (error) {
    if (error instanceof LeakwatchError) {
      io.stderr(`leakwatch: error: ${error.message}
${error.hint ? `hint: ${error.hint}
` : ""}`);
    } else {
      io.stderr(
        `leakwatch: unexpected error (this is a bug, please report it):
${error?.stack ?? String(error)}
`
      );
    }
    return 2;
  }
}
process.exitCode = await main();
