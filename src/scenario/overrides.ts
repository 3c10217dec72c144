import { Ajv } from 'ajv';
import schema from '../../scenarios/scenario.schema.json' with { type: 'json' };
import { LeakwatchError } from '../settings/errors.js';
import type { Scenario } from './types.js';

export const loadFields = [
  'connections',
  'requestsPerRound',
  'rounds',
  'warmupRequests',
  'ratePerSecond',
  'heapCapMb',
] as const satisfies readonly (keyof Scenario)[];

/** Load numbers given as action inputs or CLI flags; an undefined field keeps the scenario's value. */
export type LoadOverrides = Partial<Record<(typeof loadFields)[number], number | undefined>>;

// The same rules as in a scenario file, so an override cannot set what the file could not.
const validateOverride = new Ajv({ allErrors: true }).compile({
  type: 'object',
  properties: Object.fromEntries(loadFields.map((field) => [field, schema.properties[field]])),
});

/** Returns `scenario` with the given load numbers replaced, after checking them against the schema's rules. */
export function overrideLoad(scenario: Scenario, overrides: LoadOverrides): Scenario {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const unknown = Object.keys(given).filter((field) => !(loadFields as readonly string[]).includes(field));
  if (unknown.length > 0) {
    throw new LeakwatchError('OVERRIDE_INVALID', `Cannot override ${unknown.join(', ')} of a scenario.`, {
      hint: `Only the load numbers can be overridden: ${loadFields.join(', ')}.`,
    });
  }
  if (!validateOverride(given)) {
    const problems = (validateOverride.errors ?? []).map((error) => {
      const field = error.instancePath.slice(1) as (typeof loadFields)[number];
      return `\`${field}\` ${error.message} (got ${JSON.stringify(given[field])})`;
    });
    throw new LeakwatchError('OVERRIDE_INVALID', `Invalid load override: ${problems.join('; ')}.`, {
      hint: loadFields
        .filter((field) => problems.some((problem) => problem.startsWith(`\`${field}\``)))
        .map((field) => `${field}: ${schema.properties[field].description}`)
        .join('; '),
    });
  }
  return { ...scenario, ...given };
}
