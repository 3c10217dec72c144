import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LeakwatchError } from '../settings/errors.js';

/**
 * The folder that holds leakwatch's scenarios/ and dist/. Found by walking up from this module, because the
 * module runs from src/process/ under vitest and from dist/ or dist/chunks/ once bundled.
 */
export function findPackageRoot(moduleUrl: string = import.meta.url): string {
  const start = path.dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'scenarios', 'scenario.schema.json'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  throw new LeakwatchError('PACKAGE_INCOMPLETE', `No scenarios/ folder found above ${start}.`, {
    hint: 'leakwatch ships scenarios/ next to dist/; reinstall or re-checkout the action.',
  });
}
