import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { findPackageRoot } from '../process/package-root.js';
import { LeakwatchError } from '../settings/errors.js';
import { settings } from '../settings/table.js';
import type { Scenario } from './types.js';
import { parseScenario } from './validate.js';

/**
 * Loads and validates a scenario. A bare name (`unique-paths`) is a built-in from leakwatch's scenarios/;
 * anything with a slash or a .yml/.yaml/.json extension is a file, relative to `cwd`; none means the default.
 */
export async function loadScenario(options: {
  nameOrPath: string | undefined;
  cwd: string;
  /** `leakwatch record` writes the fixture folders, so they need not exist yet. */
  fixturesMayBeMissing?: boolean;
}): Promise<Scenario> {
  const nameOrPath = options.nameOrPath?.trim() || settings.scenario.default;
  const isPath = /[/\\]/.test(nameOrPath) || /\.(ya?ml|json)$/i.test(nameOrPath);
  const builtInDir = path.join(findPackageRoot(), 'scenarios');
  const file = isPath ? path.resolve(options.cwd, nameOrPath) : path.join(builtInDir, `${nameOrPath}.yml`);

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isPath) {
      throw new LeakwatchError('SCENARIO_NOT_FOUND', `Cannot read scenario file ${file}.`, {
        hint: 'Give a path relative to the working directory, or the name of a built-in scenario.',
        cause: error,
      });
    }
    throw new LeakwatchError('SCENARIO_NOT_FOUND', `There is no built-in scenario named "${nameOrPath}".`, {
      hint: `Built-in scenarios: ${(await listBuiltInScenarios(builtInDir)).join(', ')}. For a file, give its path.`,
      cause: error,
    });
  }

  const relative = path.relative(options.cwd, file);
  const scenario = parseScenario({
    text,
    displayPath: isPath && !relative.startsWith('..') ? relative : file,
    scenarioDir: path.dirname(file),
    defaultName: path.basename(file).replace(/\.(ya?ml|json)$/i, ''),
    fixturesMayBeMissing: options.fixturesMayBeMissing,
  });
  return { ...scenario, sourcePath: file };
}

async function listBuiltInScenarios(dir: string): Promise<string[]> {
  const entries = await readdir(dir);
  return entries.filter((entry) => entry.endsWith('.yml')).map((entry) => entry.slice(0, -'.yml'.length));
}
