// Reading settings by the table: one parser for CLI flags and action inputs, and the run plan's precedence
// (flag or input, then the scenario, then the default).
import { totalmem } from 'node:os';
import { LeakwatchError } from './errors.js';
import type { Rule, SettingSpec } from './spec.js';
import {
  type PlanKey,
  type PlanSettings,
  planKeys,
  type RunPlan,
  type SettingKey,
  type SettingValues,
  settings,
} from './table.js';

const specs = settings as Record<SettingKey, SettingSpec>;

/** "a whole number > 0", "one of `a`, `b`": what a value must be, for error messages. */
export function describeRule(rule: Rule): string {
  if (rule.kind === 'boolean') return '`true` or `false`';
  if (rule.kind === 'oneOf') return `one of ${rule.values.map((value) => `\`${value}\``).join(', ')}`;
  if (rule.kind === 'text') return rule.startsWith ? `a text starting with \`${rule.startsWith}\`` : 'a text';
  const bound = `${rule.isMinExclusive ? '>' : '≥'} ${rule.min}${rule.max === undefined ? '' : ` and ≤ ${rule.max}`}`;
  return rule.isWhole ? `a whole number ${bound}` : `a number ${bound}`;
}

/** The value of a raw string under a rule, or undefined when the rule rejects it. */
export function parseValue(rule: Rule, raw: string): string | number | boolean | undefined {
  if (rule.kind === 'text') return !rule.startsWith || raw.startsWith(rule.startsWith) ? raw : undefined;
  if (rule.kind === 'oneOf') return rule.values.includes(raw) ? raw : undefined;
  if (rule.kind === 'boolean') {
    if (['true', 'True', 'TRUE'].includes(raw)) return true;
    return ['false', 'False', 'FALSE'].includes(raw) ? false : undefined;
  }
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  const isAboveMin = rule.isMinExclusive ? value > rule.min : value >= rule.min;
  const isValid =
    Number.isFinite(value) &&
    (!rule.isWhole || Number.isInteger(value)) &&
    isAboveMin &&
    (rule.max === undefined || value <= rule.max);
  return isValid ? value : undefined;
}

/**
 * Reads every setting the source has a name for. `read` returns a flag's or input's raw value, undefined or ''
 * when not given, or true for a boolean flag that was given (it turns the default around). Mistakes are added to
 * `problems`, so one run can name them all.
 */
export function readSettings(
  source: 'cli' | 'input',
  read: (name: string) => string | boolean | undefined,
  problems: string[],
): SettingValues {
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(specs) as SettingKey[]) {
    const spec = specs[key];
    const name = spec[source];
    if (name === undefined) continue;
    const raw = read(name);
    if (raw === undefined || raw === '' || raw === false) continue;
    if (raw === true) {
      values[key] = !spec.default;
      continue;
    }
    const value = parseValue(spec.rule, raw);
    if (value === undefined) {
      const shown = source === 'cli' ? `--${name}` : name;
      const problem = `\`${shown}\` must be ${describeRule(spec.rule)} (got \`${raw}\`)`;
      // Two settings may share a flag (`--requests` of a measurement and of `record`): say it once.
      if (!problems.includes(problem)) problems.push(problem);
    } else {
      values[key] = value;
    }
  }
  return values as SettingValues;
}

/** Only the run plan's part of a set of values. */
export function pickPlanSettings(values: SettingValues): PlanSettings {
  return Object.fromEntries(
    planKeys.filter((key) => values[key] !== undefined).map((key) => [key, values[key]]),
  );
}

/** The run plan: each setting from `given`, else the scenario's field, else the default. */
export function buildRunPlan(given: PlanSettings, scenario: { readonly name: string }): RunPlan {
  const fields = scenario as Readonly<Record<string, unknown>>;
  const plan: Record<string, unknown> = { scenarioName: scenario.name };
  const derived: PlanKey[] = [];
  for (const key of planKeys) {
    const spec = specs[key];
    const value = given[key] ?? (spec.scenario === undefined ? undefined : fields[spec.scenario]);
    if (value !== undefined) plan[key] = value;
    else if (typeof spec.default === 'function') derived.push(key);
    else plan[key] = spec.default;
  }
  for (const key of derived) plan[key] = (specs[key].default as (plan: RunPlan) => number)(plan as RunPlan);
  checkHeapCapFits(plan as RunPlan);
  return plan as RunPlan;
}

/** V8 ignores a cap beyond what it can address; a run that claims one it never had is a false result. */
function checkHeapCapFits(plan: RunPlan): void {
  const machineMb = Math.floor(totalmem() / 2 ** 20);
  if (plan.heapCapMb <= machineMb) return;
  throw new LeakwatchError(
    'SETTING_OUT_OF_BOUNDS',
    `the heap cap of ${plan.heapCapMb} MB is more than this machine's ${machineMb} MB of memory`,
    { hint: "Lower heap-cap-mb (or the scenario's heapCapMb) to what the app gets in production." },
  );
}
