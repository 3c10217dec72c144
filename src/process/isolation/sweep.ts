// Process groups miss what leaves them: a `setsid` or detached grandchild of the app lives on after its group is
// killed. Every command leakwatch starts carries a tag in its environment, which all its descendants inherit;
// a sweep of /proc kills whatever still carries it. (A process that re-executes itself without the tag escapes
// this sweep; sandboxed runs also kill everything of the sandbox user, which nothing escapes.)
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export const runTagEnv = 'LEAKWATCH_RUN_TAG';

const runId = randomBytes(6).toString('hex');
let nextTag = 1;

/** A tag for one command, unique in this run. */
export function newRunTag(): string {
  return `${runId}.${nextTag++}`;
}

/** Matches the command's own tag, or (no argument) every tag of this leakwatch process. */
function matcher(tag: string | undefined): (value: string) => boolean {
  return tag === undefined ? (value) => value.startsWith(`${runId}.`) : (value) => value === tag;
}

function taggedPids(matches: (value: string) => boolean): number[] {
  const pids: number[] = [];
  const prefix = `${runTagEnv}=`;
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // Gone, or another user's: not ours to sweep.
    }
    for (const variable of environ.split('\0')) {
      if (variable.startsWith(prefix) && matches(variable.slice(prefix.length))) {
        pids.push(Number(entry));
        break;
      }
    }
  }
  return pids;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Kills every process carrying the tag (or any tag of this run), repeating until none is left, since a
 * process may fork between the scan and the kill. Returns how many were killed. Linux only (/proc).
 */
export function sweepTagged(tag?: string): number {
  if (process.platform !== 'linux') return 0;
  const matches = matcher(tag);
  let killed = 0;
  for (let pass = 0; pass < 20; pass++) {
    const pids = taggedPids(matches).filter((pid) => !isZombie(pid));
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed += 1;
      } catch {
        // Already gone.
      }
    }
  }
  return killed;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}
