// action.yml's inputs and the README's inputs table as the settings table says they must read.
import { markdownTable } from 'markdown-table';
import type { SettingSpec } from '../../src/settings/spec.js';
import { settings } from '../../src/settings/table.js';

const inputSpecs = (Object.values(settings) as SettingSpec[]).filter((spec) => spec.input !== undefined);

/** The default as action.yml passes it: empty where the scenario or the code decides. */
export function actionDefault(spec: SettingSpec): string {
  if (spec.actionDefault !== undefined) return spec.actionDefault;
  if (spec.scenario !== undefined || spec.default === null || typeof spec.default === 'function') return '';
  return String(spec.default);
}

function readmeDefault(spec: SettingSpec): string {
  const shown =
    spec.defaultText ??
    (spec.actionDefault !== undefined
      ? `\`${spec.actionDefault}\``
      : spec.default === null
        ? 'empty'
        : `\`${String(spec.default)}\``);
  return spec.scenario === undefined ? shown : `scenario, else ${shown}`;
}

/** action.yml has no default column: where the scenario decides, the description says so. */
export function actionDescription(spec: SettingSpec): string {
  return spec.scenario === undefined
    ? spec.description
    : `${spec.description} Empty: ${readmeDefault(spec)}.`;
}

/** The lines between `inputs:` and `outputs:` in action.yml. */
export function renderActionInputs(): string {
  return inputSpecs
    .map((spec) =>
      [
        `  ${spec.input}:`,
        `    description: ${JSON.stringify(actionDescription(spec))}`,
        `    default: ${JSON.stringify(actionDefault(spec))}`,
      ].join('\n'),
    )
    .join('\n');
}

/** The README's inputs table. */
export function renderReadmeInputs(): string {
  return markdownTable([
    ['Input', 'Default', 'Meaning'],
    ...inputSpecs.map((spec) => [`\`${spec.input}\``, readmeDefault(spec), spec.description]),
  ]);
}
