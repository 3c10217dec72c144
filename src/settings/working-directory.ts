// The one check of `working-directory` (`--cwd`): a folder inside the repository, wherever it is read.
import { posix } from 'node:path';
import { LeakwatchError } from './errors.js';

/** `apps/web/` → `apps/web`, backslashes read as slashes, `.` for the root; null when it leaves the repository. */
export function folderInsideRepo(raw: string): string | null {
  const dir = posix.normalize(raw.replaceAll('\\', '/')).replace(/\/+$/, '') || '.';
  return posix.isAbsolute(dir) || dir === '..' || dir.startsWith('../') ? null : dir;
}

/** The normalized folder, or `WORKING_DIRECTORY_OUTSIDE`. */
export function checkWorkingDirectory(raw: string): string {
  const dir = folderInsideRepo(raw);
  if (dir !== null) return dir;
  throw new LeakwatchError('WORKING_DIRECTORY_OUTSIDE', `working-directory "${raw}" leaves the repository.`, {
    hint: 'Give the app folder relative to the repository root, e.g. `apps/web`.',
  });
}
