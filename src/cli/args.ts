// argv → a typed CLI config. The only place the CLI reads its arguments.
import { parseArgs } from 'node:util';
import type { PlanSettings } from '../measure/compare.js';
import { LeakwatchError } from '../model/errors.js';
import type { HeapSnapshotPolicy } from '../model/report.js';
import { defaults } from '../settings/defaults.js';
import type { RecordArgs } from './record.js';

export type CliCommand =
  | { command: 'help' }
  | { command: 'version' }
  | { command: 'measure'; appDir: string; shared: SharedOptions }
  | { command: 'compare'; baseDir: string; headDir: string; shared: SharedOptions }
  | { command: 'compare-refs'; refs: CompareRefsArgs; shared: SharedOptions }
  | { command: 'record'; record: RecordArgs; shared: SharedOptions };

export interface CompareRefsArgs {
  baseRef: string;
  headRef: string;
  /** The git checkout; default the current folder. */
  repoDir: string;
  /** The app folder relative to the repository root. */
  workingDirectory: string;
  installCommand?: string;
  buildCommand?: string;
  isForced: boolean;
  /** `--no-bisect` turns off naming the culprit of a grouped bump. */
  bisect: { isEnabled: boolean };
  /** `--no-remedy` turns off measuring the culprit's newer releases for one that does not leak. */
  remedy: { isEnabled: boolean };
}

export interface SharedOptions {
  settings: PlanSettings;
  scenario?: string;
  /** Print the JSON report to stdout instead of the table. */
  json: boolean;
  /** Also write the JSON report to this file. */
  reportPath?: string;
  logDir?: string;
  /** Keep heap snapshots in this folder. */
  keepSnapshotsDir?: string;
}

const defaultRecordRequests = 50;
const defaultMaxFixtureBytes = 5 * 1024 * 1024;

export const usage = `Usage:
  leakwatch compare --base <ref> --head <ref> [options]           diff, check out, install, build and compare
  leakwatch compare --base-dir <dir> --head-dir <dir> [options]   compare two prepared app folders
  leakwatch measure [--dir <dir>] [options]                        measure one app
  leakwatch record --scenario <file> [--dir <dir>] [options]      record the answers of the scenario's upstream hosts
                                                                   as fixtures next to it (real traffic to those hosts)

Options of compare --base/--head:
  --repo <dir>            the git checkout (default: the current folder); it is never modified
  --cwd <dir>             the app folder, relative to the repository root (default: .)
  --install <cmd>         install command (default: the package manager's frozen-lockfile install)
  --build <cmd>           build command (default: the \`build\` script, if package.json has one)
  --force                 measure even when no dependency changed
  --no-bisect             after a regression of a grouped bump, do not bisect it to name the culprit
  --no-remedy             once the culprit is named, do not measure its newer releases for one that does not leak

Options of record:
  --requests <n>          requests to send while recording (default: ${defaultRecordRequests})
  --max-fixture-bytes <n> answers larger than this are not written (default: ${defaultMaxFixtureBytes})

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
  --outbound <policy>     block or allow: the app's connections to non-loopback hosts no upstream stub claims
                          (default: the scenario's, else ${defaults.outbound}: refused and listed in the report)
  --keep-heap-snapshots <dir>  keep the heap snapshots in <dir> (default: deleted after the analysis)
  --json                  print the JSON report on stdout (progress stays on stderr)
  --report <file>         also write the JSON report to <file>
  --log-dir <dir>         keep install, build and app logs here (default: a temp folder, kept only after an error)

Exit codes: 0 no regression, 1 regression (or a leak, for measure), 2 error.`;

const heapSnapshotPolicies: HeapSnapshotPolicy[] = ['on-regression', 'always', 'never'];

const numberOptions = {
  'heap-cap-mb': 'heapCapMb',
  'rss-limit-mb': 'rssLimitMb',
  threshold: 'thresholdBytesPerRequest',
  connections: 'connections',
  warmup: 'warmupRequests',
  requests: 'requestsPerRound',
  rounds: 'rounds',
  seed: 'seed',
  'settle-ms': 'settleMs',
  'time-budget-ms': 'timeBudgetMs',
  rate: 'ratePerSecond',
} as const satisfies Record<string, keyof PlanSettings>;

export function parseCliArgs(argv: string[]): CliCommand {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      dir: { type: 'string' },
      'base-dir': { type: 'string' },
      'head-dir': { type: 'string' },
      base: { type: 'string' },
      head: { type: 'string' },
      repo: { type: 'string' },
      cwd: { type: 'string' },
      install: { type: 'string' },
      build: { type: 'string' },
      force: { type: 'boolean' },
      'no-bisect': { type: 'boolean' },
      'no-remedy': { type: 'boolean' },
      start: { type: 'string' },
      'ready-path': { type: 'string' },
      scenario: { type: 'string' },
      json: { type: 'boolean' },
      report: { type: 'string' },
      'log-dir': { type: 'string' },
      'heap-snapshots': { type: 'string' },
      'keep-heap-snapshots': { type: 'string' },
      outbound: { type: 'string' },
      'max-fixture-bytes': { type: 'string' },
      ...Object.fromEntries(Object.keys(numberOptions).map((name) => [name, { type: 'string' as const }])),
    },
  });
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };

  const settings: PlanSettings = { startCommand: values.start as string | undefined };
  if (values['ready-path'] !== undefined) settings.readyPath = values['ready-path'] as string;
  const heapSnapshots = values['heap-snapshots'] as string | undefined;
  if (heapSnapshots !== undefined) {
    if (!heapSnapshotPolicies.includes(heapSnapshots as HeapSnapshotPolicy)) {
      throw usageError(
        `\`--heap-snapshots\` must be one of ${heapSnapshotPolicies.join(', ')} (got \`${heapSnapshots}\`)`,
      );
    }
    settings.heapSnapshots = heapSnapshots as HeapSnapshotPolicy;
  }
  const outbound = values.outbound as string | undefined;
  if (outbound !== undefined) {
    if (outbound !== 'block' && outbound !== 'allow')
      throw usageError(`\`--outbound\` must be block or allow (got \`${outbound}\`)`);
    settings.outbound = outbound;
  }
  for (const [flag, key] of Object.entries(numberOptions)) {
    const raw = values[flag as keyof typeof values];
    if (typeof raw === 'string') settings[key] = parseNumber(flag, raw);
  }
  const shared: SharedOptions = {
    settings,
    scenario: values.scenario as string | undefined,
    json: Boolean(values.json),
    reportPath: values.report as string | undefined,
    logDir: values['log-dir'] as string | undefined,
    keepSnapshotsDir: values['keep-heap-snapshots'] as string | undefined,
  };

  const [command, ...rest] = positionals;
  if (rest.length > 0) throw usageError(`unexpected argument \`${rest[0]}\``);
  if (command === 'measure') return { command, appDir: (values.dir as string | undefined) ?? '.', shared };
  if (command === 'record') {
    const maxBytes = values['max-fixture-bytes'] as string | undefined;
    return {
      command,
      record: {
        appDir: (values.dir as string | undefined) ?? '.',
        requests: settings.requestsPerRound ?? defaultRecordRequests,
        maxFixtureBytes:
          maxBytes === undefined ? defaultMaxFixtureBytes : parseNumber('max-fixture-bytes', maxBytes),
      },
      shared,
    };
  }
  if (command === 'compare' && (values.base !== undefined || values.head !== undefined)) {
    if (!values.base || !values.head) throw usageError('`compare` needs both --base and --head');
    return {
      command: 'compare-refs',
      refs: {
        baseRef: values.base as string,
        headRef: values.head as string,
        repoDir: (values.repo as string | undefined) ?? '.',
        workingDirectory: (values.cwd as string | undefined) ?? '.',
        installCommand: values.install as string | undefined,
        buildCommand: values.build as string | undefined,
        isForced: Boolean(values.force),
        bisect: { isEnabled: !values['no-bisect'] },
        remedy: { isEnabled: !values['no-remedy'] },
      },
      shared,
    };
  }
  if (command === 'compare') {
    const baseDir = values['base-dir'] as string | undefined;
    const headDir = values['head-dir'] as string | undefined;
    if (!baseDir || !headDir)
      throw usageError('`compare` needs --base and --head (git refs), or --base-dir and --head-dir');
    return { command, baseDir, headDir, shared };
  }
  throw usageError(command ? `unknown command \`${command}\`` : 'no command given');
}

/** `--seed` may be 0 and `--threshold` fractional; every other number is a whole number above 0. */
function parseNumber(flag: string, raw: string): number {
  const value = Number(raw);
  const [isValid, expected] =
    flag === 'seed' || flag === 'settle-ms'
      ? [Number.isInteger(value) && value >= 0, 'a whole number ≥ 0']
      : flag === 'threshold'
        ? [Number.isFinite(value) && value > 0, 'a number > 0']
        : [Number.isInteger(value) && value > 0, 'a whole number > 0'];
  if (!isValid || raw.trim() === '') throw usageError(`\`--${flag}\` must be ${expected} (got \`${raw}\`)`);
  return value;
}

function usageError(message: string): LeakwatchError {
  return new LeakwatchError('USAGE', message, { hint: 'Run `leakwatch --help` for the options.' });
}
