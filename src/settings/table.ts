// Every setting, once: its CLI flag, action input, scenario field, rule, default and description. The action's
// config, the CLI's parser and --help, the run plan and its report schema are derived from this table, and a test
// checks action.yml and the README's inputs table against it. To add a setting, add an entry here.
import { planSettings } from './plan-settings.js';
import { above0, flag, type RuleValue, type SettingSpec, text, wholeAbove0 } from './spec.js';

export const settings = {
  githubToken: {
    input: 'github-token',
    rule: text,
    default: null,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template literal.
    actionDefault: '${{ github.token }}',
    description: 'For the comment and the PR lookup. Not needed with `mode: measure` or `comment: never`.',
  },
  workingDirectory: {
    input: 'working-directory',
    cli: 'cwd',
    cliCommand: 'compare-refs',
    placeholder: '<dir>',
    rule: text,
    default: '.',
    description: 'The app folder, relative to the repository root (monorepos).',
  },
  repoDir: {
    cli: 'repo',
    cliCommand: 'compare-refs',
    placeholder: '<dir>',
    rule: text,
    default: '.',
    defaultText: 'the current folder',
    description: 'The git checkout; it is never modified.',
  },
  installCommand: {
    input: 'install-command',
    cli: 'install',
    cliCommand: 'compare-refs',
    placeholder: '<cmd>',
    rule: text,
    default: null,
    defaultText: 'detected',
    description:
      "Install command run in base and head. Detected: the package manager's frozen-lockfile install (`npm ci`, `yarn install --immutable`, `pnpm install --frozen-lockfile`, ...).",
  },
  buildCommand: {
    input: 'build-command',
    cli: 'build',
    cliCommand: 'compare-refs',
    placeholder: '<cmd>',
    rule: text,
    default: null,
    defaultText: 'detected',
    description:
      'Build command run in base and head. Detected: `run build` when package.json has a build script.',
  },
  scenario: {
    input: 'scenario',
    cli: 'scenario',
    placeholder: '<name|file>',
    rule: text,
    default: 'default',
    description: 'A built-in scenario name or a scenario file.',
  },
  ...planSettings,
  heapSnapshotsDir: {
    input: 'heap-snapshots-dir',
    cli: 'keep-heap-snapshots',
    placeholder: '<dir>',
    rule: text,
    default: null,
    defaultText: 'none, deleted after the analysis',
    description: 'Keep the heap snapshots here (for `actions/upload-artifact`).',
  },
  onlyOnDependencyChange: {
    input: 'only-on-dependency-change',
    cli: 'force',
    cliCommand: 'compare-refs',
    cliDescription: 'measure even when no dependency changed',
    rule: flag,
    default: true,
    description: 'Skip (verdict `skipped`) when no resolved dependency version changed.',
  },
  bisect: {
    input: 'bisect',
    cli: 'no-bisect',
    cliCommand: 'compare-refs',
    cliDescription: 'after a regression of a grouped bump, do not bisect it to name the culprit',
    rule: flag,
    default: true,
    description:
      'After a regression, name the culprit: one bump is named outright; several are bisected by measuring subsets on top of base.',
  },
  remedy: {
    input: 'remedy',
    cli: 'no-remedy',
    cliCommand: 'compare-refs',
    cliDescription: 'once the culprit is named, do not measure its newer releases for one that does not leak',
    rule: flag,
    default: true,
    description:
      "Once the culprit is named, measure its newest release on head's line and its latest for one that does not leak (a downgrade's remedy is base's version).",
  },
  cacheDir: {
    cli: 'cache-dir',
    cliCommand: 'compare-refs',
    placeholder: '<dir>',
    rule: text,
    default: null,
    defaultText: 'none',
    description:
      "Keep base's installed and built app here, keyed by merge base, app folder, lockfile, commands, Node and platform; a later run with the same key skips base's install and build.",
  },
  baseCache: {
    input: 'base-cache',
    rule: flag,
    default: false,
    description:
      "Keep base's installed and built app in the Actions cache, keyed by merge base, app folder, lockfile, commands, Node and platform; a hit skips base's install and build. Saved only from `pull_request` runs, whose entries GitHub scopes to that PR.",
  },
  nodeSource: {
    input: 'node-source',
    cli: 'node-source',
    cliCommand: 'compare-refs',
    placeholder: '<src>',
    rule: { kind: 'oneOf', values: ['auto', 'tool-cache', 'npm'] },
    default: 'auto',
    description:
      "When base and head pin different Node.js versions (.nvmrc, .node-version, .tool-versions, volta.node, an exact engines.node), where each side's comes from: `auto` (the runner's tool cache, where actions/setup-node installs, else the npm registry's `node` package), `tool-cache`, `npm`.",
  },
  timeLimitMinutes: {
    input: 'time-limit-minutes',
    cli: 'time-limit-minutes',
    placeholder: '<n>',
    rule: { ...above0, max: 24 * 60 },
    default: 45,
    description:
      'Wall-time limit of the whole run (minutes, fractions allowed); past it everything is stopped and the verdict is an error naming the phase.',
  },
  installEnv: {
    input: 'install-env',
    cli: 'install-env',
    placeholder: '<names>',
    rule: text,
    default: null,
    description:
      'Variables (comma-separated, e.g. `NODE_AUTH_TOKEN`) passed to the install only, never to build, app or stubs.',
  },
  bisectTimeBudgetMs: {
    input: 'bisect-time-budget-ms',
    rule: wholeAbove0,
    // Enough for the ~4 candidates of an 8-package group with installs and default-length measurements.
    default: 20 * 60_000,
    description: 'No new bisection candidate starts after this long (ms).',
  },
  failOn: {
    input: 'fail-on',
    rule: { kind: 'oneOf', values: ['regression', 'error', 'never'] },
    default: 'regression',
    description: '`regression`: fail on a regression or an error. `error`: only on errors. `never`.',
  },
  comment: {
    input: 'comment',
    rule: { kind: 'oneOf', values: ['always', 'on-change', 'never'] },
    default: 'on-change',
    description: '`always`, `on-change` (when a dependency changed, or on an error), `never`.',
  },
  commentKey: {
    input: 'comment-key',
    rule: text,
    default: null,
    defaultText: '`<working-directory>:<scenario>`',
    description:
      'Runs with different keys keep separate comments. At the repository root the key is the scenario.',
  },
  checkName: {
    input: 'check-name',
    rule: text,
    default: null,
    defaultText: 'empty',
    description:
      'Also publish a check run of this name on the measured commit, failing exactly when the measurement fails the step (needs `checks: write`).',
  },
  mode: {
    input: 'mode',
    rule: { kind: 'oneOf', values: ['full', 'measure', 'report'] },
    default: 'full',
    description:
      '`full`, `measure` (no token; writes `report-dir`), `report` (in `workflow_run`; reads `report-dir`).',
  },
  reportDir: {
    input: 'report-dir',
    rule: text,
    default: 'leakwatch-report',
    description: 'Where `measure` writes `report.json` and `report.md`, and where `report` reads them.',
  },
  recordRequests: {
    cli: 'requests',
    cliCommand: 'record',
    rule: wholeAbove0,
    default: 50,
    description: 'Requests to send while recording.',
  },
  maxFixtureBytes: {
    cli: 'max-fixture-bytes',
    cliCommand: 'record',
    rule: wholeAbove0,
    default: 5 * 1024 * 1024,
    description: 'Answers larger than this (bytes) are passed on but not written.',
  },
  json: {
    cli: 'json',
    rule: flag,
    default: false,
    cliDescription: 'print the JSON report on stdout (progress stays on stderr)',
    description: 'Print the JSON report on stdout.',
  },
  reportPath: {
    cli: 'report',
    placeholder: '<file>',
    rule: text,
    default: null,
    defaultText: 'none',
    description: 'Also write the JSON report to this file.',
  },
  logDir: {
    cli: 'log-dir',
    placeholder: '<dir>',
    rule: text,
    default: null,
    defaultText: 'a temp folder, kept only after an error',
    description: 'Keep install, build and app logs here.',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof settings;

export type SettingValue<K extends SettingKey> = RuleValue<(typeof settings)[K]['rule']>;
/** Values as read from flags or inputs: what was not given is absent. */
export type SettingValues = { -readonly [K in SettingKey]?: SettingValue<K> };

export type PlanKey = {
  [K in SettingKey]: (typeof settings)[K] extends { isPlan: true } ? K : never;
}[SettingKey];
/** What the user can set of the run plan; anything left out comes from the scenario, then from the default. */
export type PlanSettings = Pick<SettingValues, PlanKey>;
/** The load and measurement settings both sides share: identical conditions as explicit data. */
export type RunPlan = {
  -readonly [K in PlanKey]: SettingValue<K> | ((typeof settings)[K]['default'] extends null ? null : never);
} & { scenarioName: string };
export type HeapSnapshotPolicy = SettingValue<'heapSnapshots'>;
export type OutboundPolicy = SettingValue<'outbound'>;

export const planKeys = (Object.keys(settings) as SettingKey[]).filter(
  (key): key is PlanKey => (settings[key] as SettingSpec).isPlan === true,
);
