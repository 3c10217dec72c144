// `mode: report` reads report.json files that a fork's code may have written: they are untrusted input.
// They are size-capped, checked against a schema, and tied to the run that triggered the report.

import { Ajv } from 'ajv';
import type { CompareReport } from '../model/report.js';
import { VERDICT_RULE_IDS } from '../model/verdict.js';
import { LeakwatchError } from '../settings/errors.js';
import type { SettingSpec } from '../settings/spec.js';
import { planKeys, settings } from '../settings/table.js';
import {
  count,
  deathFacts,
  dependencyChange,
  heapExplanation,
  nullable,
  number,
  object,
  sha,
  side,
  text,
} from './schema-parts.js';

/** Real reports are well under 5 MB even with thousands of samples. */
export const MAX_REPORT_BYTES = 20 * 1024 * 1024;

/** The run plan's part, by the settings table: the same rules the flags and inputs were read with. */
function ruleSchema(spec: SettingSpec): object {
  const { rule } = spec;
  const schema =
    rule.kind === 'text'
      ? text(10_000)
      : rule.kind === 'oneOf'
        ? { enum: rule.values }
        : rule.kind === 'boolean'
          ? { type: 'boolean' }
          : {
              type: rule.isWhole ? 'integer' : 'number',
              [rule.isMinExclusive ? 'exclusiveMinimum' : 'minimum']: rule.min,
              ...(rule.max === undefined ? {} : { maximum: rule.max }),
            };
  return spec.default === null ? nullable(schema) : schema;
}
const planSchema = object({
  ...Object.fromEntries(planKeys.map((key) => [key, ruleSchema(settings[key])])),
  scenarioName: text(1000),
});

const packageNames = { type: 'array', maxItems: 20_000, items: text(214) };
const bisectedChanges = { type: 'array', maxItems: 20_000, items: dependencyChange };
const bisectionSteps = {
  type: 'array',
  maxItems: 1000,
  items: object({
    packages: packageNames,
    verdict: { enum: ['regression', 'clean', 'inconclusive', 'install-failed', 'build-failed', 'error'] },
    slopeBytesPerRequest: nullable(number),
    slopeInterval: nullable(object({ low: number, high: number })),
    deltaBytesPerRequest: nullable(number),
    diedAfterRequests: nullable(count),
    reason: text(10_000),
    isConfirmation: { type: 'boolean' },
    durationMs: count,
  }),
};
const bisection = object(
  {
    outcome: {
      oneOf: [
        object({
          kind: { const: 'culprit' },
          changes: bisectedChanges,
          deltaBytesPerRequest: nullable(number),
          slopeBytesPerRequest: nullable(number),
          isConfirmed: { type: 'boolean' },
          confirmation: { enum: ['only-bump', 'ran-out-of-memory', 'slope', 'none'] },
        }),
        object({ kind: { const: 'interaction' }, changes: bisectedChanges }),
        object({ kind: { const: 'inconclusive' }, reason: text(10_000) }),
      ],
    },
    steps: bisectionSteps,
    units: {
      type: 'array',
      maxItems: 20_000,
      items: object({ lead: text(214), kind: { enum: ['bump', 'transitive'] }, packages: packageNames }),
    },
    candidateCount: count,
    notBisected: packageNames,
    durationMs: count,
    remedy: object({
      name: text(214),
      advice: { enum: ['bump', 'stay', 'unknown'] },
      version: nullable(text(256)),
      sentence: text(1000),
      steps: bisectionSteps,
      durationMs: count,
    }),
  },
  ['remedy'],
);

const baseCache = object(
  {
    status: { enum: ['hit', 'miss', 'rebuilt'] },
    key: text(200),
    store: text(2000),
    note: text(2000),
    durationMs: count,
  },
  ['note'],
);

const compareReportSchema = object(
  {
    schemaVersion: { const: 1 },
    kind: { const: 'compare' },
    plan: planSchema,
    environment: object(
      {
        leakwatchVersion: text(100),
        nodeVersion: text(100),
        platform: text(100),
        cpus: count,
        isolation: text(300),
      },
      ['isolation'],
    ),
    base: side,
    head: side,
    comparison: object(
      {
        verdict: {
          enum: ['regression', 'improvement', 'unchanged', 'pre-existing', 'inconclusive', 'error'],
        },
        // Report mode recomputes the comparison, finding included: only its shape is checked here.
        finding: object({ rule: { enum: [...VERDICT_RULE_IDS] } }),
        deltaBytesPerRequest: nullable(number),
        deltaUncertainty: nullable(number),
        deaths: object({ base: deathFacts, head: deathFacts }),
      },
      ['deaths'],
    ),
    schedule: object(
      {
        warmupRequests: count,
        requestsPerRound: count,
        roundsPlanned: count,
        roundsRun: count,
        isStoppedEarly: { type: 'boolean' },
        warmupRequestsPerSecond: count,
        isShrunkToBudget: { type: 'boolean' },
        timeHeld: object({
          holdMs: count,
          heldBytesPerRequest: count,
          ratePerSecond: count,
          rateSource: { enum: ['adaptive', 'user'] },
        }),
      },
      ['timeHeld'],
    ),
    heapDiffs: { type: 'array', maxItems: 2, items: heapExplanation },
    startedAt: text(100),
    durationMs: count,
    dependencyChanges: { type: 'array', maxItems: 20_000, items: dependencyChange },
    pr: object({ number: { type: 'integer', minimum: 1 }, headSha: sha, baseSha: sha }),
    revisions: object({ baseSha: sha, headSha: sha }),
    runUrl: text(2048),
    bisection,
    baseCache,
  },
  ['schedule', 'dependencyChanges', 'runUrl', 'heapDiffs', 'bisection', 'baseCache', 'revisions'],
);

// Unknown fields are allowed (a newer measure step may add some) and harmless: rendering reads known fields only.
// Not stripped with removeAdditional: that mutates data while trying the `oneOf` branches of `exit`.
const validateCompareReport = new Ajv({ allErrors: true }).compile(compareReportSchema);

function rejected(source: string, problem: string): LeakwatchError {
  return new LeakwatchError('REPORT_REJECTED', `Rejected ${source}: ${problem}.`, {
    hint: 'Report mode only accepts report.json written by `mode: measure` of the same leakwatch version for this PR.',
  });
}

/** Parses one untrusted report.json; `source` names it in errors (an artifact path). */
export function parseUntrustedReport(json: string, source: string): CompareReport {
  if (Buffer.byteLength(json) > MAX_REPORT_BYTES)
    throw rejected(source, `larger than ${MAX_REPORT_BYTES} bytes`);
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw rejected(source, `not JSON (${(error as Error).message})`);
  }
  if (!validateCompareReport(data)) {
    const problems = (validateCompareReport.errors ?? [])
      .slice(0, 5)
      .map((error) => `${error.instancePath || '/'} ${error.message}`);
    throw rejected(source, `does not match the report schema (${problems.join('; ')})`);
  }
  return data as unknown as CompareReport;
}

export interface TriggeringRun {
  /** `workflow_run.head_sha`: the commit the measuring run checked out, set by GitHub, not by the fork. */
  headSha: string;
  /** `workflow_run.pull_requests[].number`; empty for fork PRs. */
  pullRequestNumbers: number[];
}

export interface ReportPullRequest {
  number: number;
  headSha: string;
  /**
   * False when the triggering run lists no PR (fork PRs): the caller must then fetch the PR by number and
   * check its head SHA equals the run's before commenting.
   */
  isConfirmedByRun: boolean;
}

/** Ties the reports to the run that produced them: one PR, measured at the run's head commit. */
export function checkReportsAgainstRun(reports: CompareReport[], run: TriggeringRun): ReportPullRequest {
  const first = reports[0]?.pr;
  if (!first)
    throw rejected('the reports', reports.length === 0 ? 'none were found' : 'no pull request recorded');
  for (const report of reports) {
    if (!report.pr || report.pr.number !== first.number || report.pr.headSha !== first.headSha) {
      throw rejected('the reports', 'they name different pull requests or head commits');
    }
  }
  if (first.headSha !== run.headSha) {
    throw rejected('the reports', `head ${first.headSha} is not the triggering run's head ${run.headSha}`);
  }
  if (run.pullRequestNumbers.length > 0 && !run.pullRequestNumbers.includes(first.number)) {
    throw rejected(
      'the reports',
      `PR #${first.number} is not the triggering run's (#${run.pullRequestNumbers.join(', #')})`,
    );
  }
  return {
    number: first.number,
    headSha: first.headSha,
    isConfirmedByRun: run.pullRequestNumbers.length > 0,
  };
}
