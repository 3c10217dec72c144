// The paths sandbox users must not read (the clone's .git, leakwatch's folder, the runner's temp) lose other
// users' access while a sandbox is open, and get it back when the last sandbox that needed that is gone: a
// user's own clone keeps its modes after a local run.
//
// Several runs on one machine may overlap on the same path (a matrix on a self-hosted runner, parallel local
// runs). Each open sandbox leaves a holder file per path in a folder only leakwatch's user can write; the
// first run that closes a path records its original mode there; the run that removes the last live holder
// restores that mode. Holders of runs that died without cleaning up (SIGKILL) are pruned by their pid. A run
// that starts while another restores either sees the path still closed (the restorer then sees its holder
// and closes it again) or sees it open and closes it itself, before any of its own code runs.

import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { LeakwatchError } from '../../settings/errors.js';
import { type Privilege, privileged, runAsUser } from './privilege.js';

interface Reader {
  privilege: Privilege;
  user: { name: string; uid: number; gid: number };
}

/** One protected path of one open sandbox. */
export interface Held {
  path: string;
  folder: string;
  holder: string;
}

const canRead = (reader: Reader, path: string) =>
  runAsUser(reader.privilege, reader.user, ['test', '-r', path]).status === 0;

/** Outside TMPDIR (runs may set different ones) and owned by leakwatch's user alone, or unusable. */
function stateFolder(): string {
  const uid = process.getuid?.() ?? 0;
  const folder = `/tmp/leakwatch-protected-${uid}`;
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stat = lstatSync(folder);
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    throw new LeakwatchError('ISOLATION_FAILED', `${folder} is not a private folder of leakwatch's user`, {
      hint: `Remove ${folder} (someone else made it), or set LEAKWATCH_ISOLATION=same-user.`,
    });
  }
  return folder;
}

/** Closes each path the reader can read, adding to `held` what `reopenPaths` needs to give the access back. */
export function closePaths(
  reader: Reader,
  paths: string[],
  runId: string,
  held: Held[],
  log: (line: string) => void,
): void {
  const root = stateFolder();
  for (const path of paths) {
    const folder = join(root, createHash('sha256').update(path).digest('hex').slice(0, 32));
    const holder = join(folder, `holder-${process.pid}-${runId}`);
    holdIn(folder, holder, path);
    held.push({ path, folder, holder });
    if (!canRead(reader, path)) continue;
    const mode = statSync(path).mode & 0o7777;
    // The first closer records the original; a later one finds the record (and the path reopened by a race).
    try {
      writeFileSync(join(folder, 'mode'), `${mode.toString(8)} ${path}`, { flag: 'wx' });
    } catch {}
    privileged(reader.privilege, ['chmod', 'o-rwx', path]);
    log(`isolation: ${path} was readable by other users; removed their access until the run ends`);
    if (canRead(reader, path)) {
      throw new LeakwatchError('ISOLATION_FAILED', `the sandbox users can still read ${path}`, {
        hint: 'Make the folder unreadable to other users, or set LEAKWATCH_ISOLATION=same-user.',
      });
    }
  }
}

/** Gives back each path's original mode when no other live run holds it. Call after the users are gone. */
export function reopenPaths(privilege: Privilege, held: Held[], log: (line: string) => void): void {
  for (const { path, folder, holder } of held) {
    rmSync(holder, { force: true });
    if (liveHolders(folder).length > 0) continue;
    if (!existsSync(join(folder, 'mode'))) {
      // Nothing to give back (the path was closed already): drop the folder unless a run just joined.
      try {
        rmdirSync(folder);
      } catch {}
      continue;
    }
    // Renaming claims the record: of two runs ending together, one restores.
    const claimed = join(folder, `restoring-${process.pid}`);
    try {
      renameSync(join(folder, 'mode'), claimed);
    } catch {
      continue;
    }
    const mode = readFileSync(claimed, 'utf8').split(' ')[0] ?? '';
    privileged(privilege, ['chmod', mode, path]);
    if (liveHolders(folder).length > 0) {
      // A run started meanwhile and found the path open or closed: it stays closed, with the record kept.
      privileged(privilege, ['chmod', 'o-rwx', path]);
      renameSync(claimed, join(folder, 'mode'));
      continue;
    }
    rmSync(claimed, { force: true });
    try {
      rmdirSync(folder);
    } catch {}
    log(`isolation: gave other users back their access to ${path} (mode ${mode})`);
  }
}

/** Writes the holder; a run that ends meanwhile may remove the empty folder between mkdir and write. */
function holdIn(folder: string, holder: string, path: string): void {
  for (let attempt = 0; ; attempt++) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(holder, path);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw error;
    }
  }
}

/** Holder files of runs whose process still lives; the others are deleted. */
function liveHolders(folder: string): string[] {
  const names = existsSync(folder) ? readdirSync(folder).filter((name) => name.startsWith('holder-')) : [];
  return names.filter((name) => {
    const pid = Number(name.split('-')[1]);
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPERM') return true;
      rmSync(join(folder, name), { force: true });
      return false;
    }
  });
}
