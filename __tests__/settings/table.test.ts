// The settings table is the one source: action.yml, the README's inputs table, the scenario schema and the CLI
// must agree with it. `UPDATE_SETTINGS_DOCS=1 npx vitest run __tests__/settings` rewrites action.yml's inputs and
// the README's table from it.
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import scenarioSchema from '../../scenarios/scenario.schema.json' with { type: 'json' };
import { parseCliArgs, usage } from '../../src/cli/args.js';
import { buildRunPlan, parseValue } from '../../src/settings/read.js';
import type { SettingSpec } from '../../src/settings/spec.js';
import { settings } from '../../src/settings/table.js';
import { actionDefault, actionDescription, renderActionInputs, renderReadmeInputs } from './docs.js';

const specs = Object.values(settings) as SettingSpec[];
const root = new URL('../../', import.meta.url);
const isUpdating = process.env.UPDATE_SETTINGS_DOCS === '1';

/** Replaces (when updating) or returns the text between two markers of a file. */
function section(file: string, start: string, end: string, replacement: string): string {
  const path = new URL(file, root);
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(start) + start.length;
  const to = text.indexOf(end, from);
  if (isUpdating) writeFileSync(path, text.slice(0, from) + replacement + text.slice(to));
  return isUpdating ? replacement : text.slice(from, to);
}

describe('the settings table', () => {
  it('is what action.yml declares, in order, with the same defaults and descriptions', () => {
    expect(section('action.yml', 'inputs:\n', '\n\noutputs:', renderActionInputs())).toBe(
      renderActionInputs(),
    );
    const inputs = (load(readFileSync(new URL('action.yml', root), 'utf8')) as { inputs: unknown })
      .inputs as Record<string, { description: string; default: string }>;
    const withInput = specs.filter((spec) => spec.input !== undefined);
    expect(Object.keys(inputs)).toEqual(withInput.map((spec) => spec.input));
    for (const spec of withInput) {
      expect(inputs[spec.input ?? '']).toEqual({
        description: actionDescription(spec),
        default: actionDefault(spec),
      });
    }
  });

  it("is the README's inputs table", () => {
    expect(section('README.md', '### Inputs\n\n', '\n\n### Outputs', renderReadmeInputs())).toBe(
      renderReadmeInputs(),
    );
  });

  it("applies the scenario schema's rule to each scenario field", () => {
    const properties = scenarioSchema.properties as Record<string, object>;
    const ajv = new Ajv();
    const probes = [-1, 0, 0.5, 1, 2.5, 15, 16, 1000, 1001, 100_000];
    for (const spec of specs.filter((entry) => entry.scenario !== undefined)) {
      const field = properties[spec.scenario ?? ''];
      expect(field, spec.scenario).toBeDefined();
      const validate = ajv.compile(field ?? {});
      const samples =
        spec.rule.kind === 'number'
          ? probes
          : spec.rule.kind === 'oneOf'
            ? [...spec.rule.values, 'other']
            : ['/', '/health', 'health', ''];
      for (const sample of samples) {
        const isAccepted = parseValue(spec.rule, String(sample)) !== undefined;
        expect(validate(sample), `${spec.scenario} = ${JSON.stringify(sample)}`).toBe(isAccepted);
      }
    }
  });

  it('gives every CLI flag a --help line and parses it', () => {
    for (const spec of specs.filter((entry) => entry.cli !== undefined)) {
      expect(usage).toMatch(new RegExp(`^  --${spec.cli}\\b`, 'm'));
    }
    const command = parseCliArgs([
      'measure',
      '--rate',
      '2.5',
      '--threshold',
      '0.5',
      '--seed',
      '0',
      '--force',
    ]);
    expect(command).toMatchObject({
      shared: { settings: { ratePerSecond: 2.5, thresholdBytesPerRequest: 0.5, seed: 0 } },
    });
    expect(() => parseCliArgs(['measure', '--heap-cap-mb', '8', '--rounds', '2.5'])).toThrow(
      /`--heap-cap-mb` must be a whole number ≥ 16 and ≤ 262144 \(got `8`\); `--rounds` must be a whole number > 0 and ≤ 1000 \(got `2.5`\)/,
    );
  });

  it('builds the run plan from the flag, else the scenario, else the default', () => {
    const scenario = { name: 'ssr', rounds: 9, heapCapMb: 128, requestsPerRound: 50 };
    const plan = buildRunPlan({ rounds: 7 }, scenario);
    expect(plan).toMatchObject({
      scenarioName: 'ssr',
      rounds: 7,
      heapCapMb: 128,
      rssLimitMb: 512,
      requestsPerRound: 50,
      warmupRequests: settings.warmupRequests.default,
      ratePerSecond: null,
    });
  });
});
