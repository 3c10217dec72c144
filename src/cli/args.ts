// argv → a typed CLI config, by the settings table. The only place the CLI reads its arguments.
import { parseArgs } from 'node:util';
import type { NodeSource } from '../prepare/node-runtime.js';
import { LeakwatchError } from '../settings/errors.js';
import { pickPlanSettings, readSettings } from '../settings/read.js';
import type { SettingSpec } from '../settings/spec.js';
import { type PlanSettings, settings } from '../settings/table.js';
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
  /** Variables passed to the install only. */
  installEnv: string[];
  /** `--no-bisect` turns off naming the culprit of a grouped bump. */
  bisect: { isEnabled: boolean };
  /** `--no-remedy` turns off measuring the culprit's newer releases for one that does not leak. */
  remedy: { isEnabled: boolean };
  /** `--cache-dir`: keep and reuse base's installed and built app here (default: no cache). */
  cacheDir?: string;
  /** `--node-source`: where a pinned Node.js comes from when the runtime changed. */
  nodeSource: NodeSource;
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
  /** Wall-time limit of the whole run. */
  timeLimitMinutes: number;
}

const commands = `Usage:
  leakwatch compare --base <ref> --head <ref> [options]           diff, check out, install, build and compare
  leakwatch compare --base-dir <dir> --head-dir <dir> [options]   compare two prepared app folders
  leakwatch measure [--dir <dir>] [options]                        measure one app
  leakwatch record --scenario <file> [--dir <dir>] [options]      record the answers of the scenario's upstream hosts
                                                                   as fixtures next to it (real traffic to those hosts)`;

/** The flags that are not settings: which command, on what. */
const commandOptions = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  dir: { type: 'string' },
  'base-dir': { type: 'string' },
  'head-dir': { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
} as const;

const cliSpecs = (Object.values(settings) as SettingSpec[]).filter((spec) => spec.cli !== undefined);

function helpLine(spec: SettingSpec): string {
  const name = `--${spec.cli}${spec.placeholder ? ` ${spec.placeholder}` : spec.rule.kind === 'number' ? ' <n>' : ''}`;
  if (spec.rule.kind === 'boolean') return `  ${name.padEnd(28)}${spec.cliDescription ?? spec.description}`;
  const shown = spec.defaultText ?? (spec.default === null ? 'none' : String(spec.default));
  const fallback = spec.scenario ? `the scenario's, else ${shown}` : shown;
  return `  ${name.padEnd(28)}${spec.description} (default: ${fallback})`;
}

export const usage = [
  commands,
  '',
  'Options of compare --base/--head:',
  ...cliSpecs.filter((spec) => spec.cliCommand === 'compare-refs').map(helpLine),
  '',
  'Options of record:',
  ...cliSpecs.filter((spec) => spec.cliCommand === 'record').map(helpLine),
  '',
  'Options:',
  ...cliSpecs.filter((spec) => spec.cliCommand === undefined).map(helpLine),
  '',
  'Exit codes: 0 no regression, 1 regression (or a leak, for measure), 2 error.',
].join('\n');

export function parseCliArgs(argv: string[]): CliCommand {
  const parsed = parseArgvStrictly(argv);
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const text = (name: string) => values[name] as string | undefined;
  const positionals = parsed.positionals;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };

  const problems: string[] = [];
  const given = readSettings('cli', (name) => values[name], problems);
  if (problems.length > 0) throw usageError(problems.join('; '));
  const shared: SharedOptions = {
    settings: pickPlanSettings(given),
    scenario: given.scenario,
    json: given.json ?? settings.json.default,
    reportPath: given.reportPath,
    logDir: given.logDir,
    keepSnapshotsDir: given.heapSnapshotsDir,
    timeLimitMinutes: given.timeLimitMinutes ?? settings.timeLimitMinutes.default,
  };

  const [command, ...rest] = positionals;
  if (rest.length > 0) throw usageError(`unexpected argument \`${rest[0]}\``);
  if (command === 'measure') return { command, appDir: text('dir') ?? '.', shared };
  if (command === 'record') {
    const record = {
      appDir: text('dir') ?? '.',
      requests: given.recordRequests ?? settings.recordRequests.default,
      maxFixtureBytes: given.maxFixtureBytes ?? settings.maxFixtureBytes.default,
    };
    return { command, record, shared };
  }
  const [baseRef, headRef] = [text('base'), text('head')];
  if (command === 'compare' && (baseRef !== undefined || headRef !== undefined)) {
    if (!baseRef || !headRef) throw usageError('`compare` needs both --base and --head');
    return {
      command: 'compare-refs',
      refs: {
        baseRef,
        headRef,
        repoDir: given.repoDir ?? settings.repoDir.default,
        workingDirectory: given.workingDirectory ?? settings.workingDirectory.default,
        installCommand: given.installCommand,
        buildCommand: given.buildCommand,
        isForced: !(given.onlyOnDependencyChange ?? settings.onlyOnDependencyChange.default),
        installEnv: splitNames(given.installEnv),
        bisect: { isEnabled: given.bisect ?? settings.bisect.default },
        remedy: { isEnabled: given.remedy ?? settings.remedy.default },
        ...(given.cacheDir ? { cacheDir: given.cacheDir } : {}),
        nodeSource: given.nodeSource ?? settings.nodeSource.default,
      },
      shared,
    };
  }
  if (command === 'compare') {
    const [baseDir, headDir] = [text('base-dir'), text('head-dir')];
    if (!baseDir || !headDir)
      throw usageError('`compare` needs --base and --head (git refs), or --base-dir and --head-dir');
    return { command, baseDir, headDir, shared };
  }
  throw usageError(command ? `unknown command \`${command}\`` : 'no command given');
}

/** `install-env`: names separated by commas or spaces. */
export function splitNames(list: string | undefined): string[] {
  return (list ?? '').split(/[\s,]+/).filter(Boolean);
}

/** node:util's parse errors (an unknown flag, a missing value) are the user's, not bugs. */
function parseArgvStrictly(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...commandOptions,
        ...Object.fromEntries(
          cliSpecs.map((spec) => [
            spec.cli,
            { type: spec.rule.kind === 'boolean' ? 'boolean' : 'string' } as const,
          ]),
        ),
      },
    });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS_')) throw error;
    throw usageError((error as Error).message.split('\n')[0] ?? String(error));
  }
}

function usageError(message: string): LeakwatchError {
  return new LeakwatchError('USAGE', message, { hint: 'Run `leakwatch --help` for the options.' });
}
