// Untrusted code (install scripts, builds, the apps, stubs) runs as dedicated unprivileged OS users, one per
// side, when leakwatch can create them (it is root, or has passwordless sudo, as GitHub-hosted Linux runners
// do). Another uid cannot read leakwatch's /proc/<pid>/environ, where the tokens live, nor signal it; a second
// user per side keeps head's code from tampering with base's checkout. Each user has its own HOME, caches and
// temp dir; the paths that hold secrets or the workspace's history are checked to be unreadable by it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakwatchError } from '../../settings/errors.js';
import { cleanUpOnExit } from '../process-group.js';
import { type Privilege, privileged, privilegedAsync, privilegeOf, runAsUser } from './privilege.js';
import { closePaths, type Held, reopenPaths } from './protected-paths.js';

export type Side = 'base' | 'head';

export interface SandboxUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface Sandbox {
  privilege: Privilege;
  /** Holds the users' homes and leakwatch's probe and stub copies; traversable, not listable. */
  root: string;
  users: Record<Side, SandboxUser>;
  /** Copies of dist/probe.cjs and dist/stub.cjs that the users can read (the action's folder is closed). */
  probePath: string;
  stubPath: string;
  /** What the report says. */
  description: string;
}

const scope = new AsyncLocalStorage<Sandbox | null>();
const openUsers = new Set<SandboxUser>();

/** Users of every sandbox still open: a time limit or an interrupt kills all their processes. */
export function activeUsers(): SandboxUser[] {
  return [...openUsers];
}

/** The sandbox of the run this code belongs to; null runs everything as leakwatch's own user. */
export function currentSandbox(): Sandbox | null {
  return scope.getStore() ?? null;
}

export function runInSandbox<T>(sandbox: Sandbox | null, run: () => Promise<T>): Promise<T> {
  return scope.run(sandbox, run);
}

/**
 * Where leakwatch makes folders that sandbox users must reach (worktrees, the stubs' CA): the sandbox root,
 * whose ancestors anyone may traverse, not TMPDIR, which may sit inside a folder only leakwatch can enter
 * (a mkdtemp parent, a runner's home).
 */
export function scratchDir(): string {
  return currentSandbox()?.root ?? tmpdir();
}

/** The user a side's code runs as: base's own, and head's for head, candidates and stubs. */
export function userFor(side: string | undefined): SandboxUser | null {
  const sandbox = currentSandbox();
  if (!sandbox) return null;
  return side === 'base' ? sandbox.users.base : sandbox.users.head;
}

/** Why there is no sandbox here, for the report; null when one can be opened. */
export function sameUserReason(): string | null {
  if (process.platform !== 'linux') return `${process.platform} has no useradd`;
  if (process.env.LEAKWATCH_ISOLATION === 'same-user') return 'LEAKWATCH_ISOLATION=same-user';
  return privilegeOf() ? null : 'leakwatch is not root and has no passwordless sudo';
}

/** The report's isolation line. Only checkouts of git refs are sandboxed; prepared folders are the user's own. */
export function describeIsolation(): string {
  const sandbox = currentSandbox();
  if (sandbox) return sandbox.description;
  return `same user (${sameUserReason() ?? 'prepared folders run as the user who started leakwatch'})`;
}

export interface OpenSandboxOptions {
  probeSource: string;
  stubSource: string;
  /** Paths the users must not read (the workspace's .git, the action, the runner's temp): closed if they can. */
  protectedPaths: string[];
  log: (line: string) => void;
}

/** Creates both users and their homes; disposing (or leakwatch exiting) kills their processes and deletes them. */
export async function openSandbox(options: OpenSandboxOptions): Promise<Sandbox & AsyncDisposable> {
  const privilege = privilegeOf();
  if (!privilege) throw new LeakwatchError('ISOLATION_UNAVAILABLE', 'no privilege to create sandbox users');
  const id = randomBytes(4).toString('hex');
  const root = mkdtempSync('/tmp/lw-');
  const created: SandboxUser[] = [];
  const held: Held[] = [];
  const destroy = () => {
    for (const user of created) {
      openUsers.delete(user);
      destroyUser(privilege, user);
    }
    // Only once no process of the users is left may the paths open again.
    reopenPaths(privilege, held.splice(0), options.log);
    privileged(privilege, ['rm', '-rf', root]);
  };
  const release = cleanUpOnExit(destroy);
  try {
    privileged(privilege, ['chmod', '0711', root]);
    for (const side of ['base', 'head'] as const)
      created.push(createUser(privilege, `lw-${id}-${side[0]}`, root));
    const [base, head] = created as [SandboxUser, SandboxUser];
    for (const user of created) openUsers.add(user);
    const tools = join(root, 'tools');
    mkdirSync(tools);
    const probePath = join(tools, 'probe.cjs');
    const stubPath = join(tools, 'stub.cjs');
    copyFileSync(options.probeSource, probePath);
    copyFileSync(options.stubSource, stubPath);
    privileged(privilege, ['chmod', '-R', 'a+rX', tools]);
    const sandbox: Sandbox = {
      privilege,
      root,
      users: { base, head },
      probePath,
      stubPath,
      description: `sandbox users ${base.name} (base) and ${head.name} (head)`,
    };
    closePaths({ privilege, user: head }, options.protectedPaths, id, held, options.log);
    options.log(`isolation: install, build, app and stubs run as ${base.name} and ${head.name}`);
    let disposed = false;
    return {
      ...sandbox,
      [Symbol.asyncDispose]: async () => {
        if (disposed) return;
        disposed = true;
        // The homes hold each side's npm cache: emptied both at once, as the worktrees are (removeSandboxedAsync).
        await Promise.all(created.map((user) => privilegedAsync(privilege, ['rm', '-rf', user.home])));
        destroy();
        release();
      },
    };
  } catch (error) {
    destroy();
    release();
    throw error;
  }
}

function createUser(privilege: Privilege, name: string, root: string): SandboxUser {
  const home = join(root, name);
  // The passwd lock is shared with every other useradd on the machine: retry a busy one.
  for (let attempt = 0; ; attempt++) {
    const added = privileged(privilege, [
      'useradd',
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      home,
      '--shell',
      '/usr/sbin/nologin',
      name,
    ]);
    if (added.status === 0) break;
    if (attempt >= 20) {
      throw new LeakwatchError('ISOLATION_FAILED', `useradd ${name} failed: ${added.stderr.trim()}`, {
        hint: 'Set LEAKWATCH_ISOLATION=same-user to run without sandbox users (the report then says so).',
      });
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 + attempt * 50);
  }
  const ids = privileged(privilege, ['id', '-u', name]).stdout.trim();
  const gid = privileged(privilege, ['id', '-g', name]).stdout.trim();
  mkdirSync(join(home, 'tmp'), { recursive: true });
  privileged(privilege, ['chown', '-R', `${ids}:${gid}`, home]);
  privileged(privilege, ['chmod', '0700', home]);
  return { name, uid: Number(ids), gid: Number(gid), home };
}

function destroyUser(privilege: Privilege, user: SandboxUser): void {
  killAllOf(user);
  // The passwd lock is shared with every other run's useradd and userdel: retry a busy one.
  for (let attempt = 0; attempt < 20; attempt++) {
    const status = privileged(privilege, ['userdel', '--force', user.name]).status;
    if (status !== 1 && status !== 10) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 + attempt * 50);
  }
}

/** Kills every process of the user: kill(-1) as that uid reaches all of them, setsid or not, tag or not. */
export function killAllOf(user: SandboxUser): void {
  const sandbox = currentSandbox();
  const privilege = sandbox?.privilege ?? privilegeOf();
  if (privilege) runAsUser(privilege, user, ['kill', '-9', '-1']);
}

/** The environment a sandboxed command needs on top of the scrubbed one: its own HOME, caches and temp dir. */
export function sandboxEnv(user: SandboxUser): Record<string, string> {
  const tmp = join(user.home, 'tmp');
  return {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    TMPDIR: tmp,
    TMP: tmp,
    TEMP: tmp,
    npm_config_cache: join(user.home, '.npm'),
    NPM_CONFIG_CACHE: join(user.home, '.npm'),
    YARN_CACHE_FOLDER: join(user.home, '.yarn-cache'),
    XDG_CACHE_HOME: join(user.home, '.cache'),
    XDG_CONFIG_HOME: join(user.home, '.config'),
    XDG_DATA_HOME: join(user.home, '.local', 'share'),
    COREPACK_HOME: join(user.home, '.corepack'),
  };
}

/** Hands a folder leakwatch made (a worktree, a probe socket folder) to the side's user. */
export function giveTo(user: SandboxUser, path: string, mode?: string): void {
  const sandbox = currentSandbox();
  if (!sandbox) return;
  privileged(sandbox.privilege, ['chown', '-R', `${user.uid}:${user.gid}`, path]);
  if (mode) privileged(sandbox.privilege, ['chmod', mode, path]);
}

/** Deletes a folder the users wrote into; leakwatch's own rm may not be allowed to (sudo). */
export function removeSandboxed(path: string, sandbox = currentSandbox()): void {
  if (sandbox) privileged(sandbox.privilege, ['rm', '-rf', path]);
  else rmSync(path, { recursive: true, force: true });
}

/**
 * `removeSandboxed` off the event loop: deleting an installed app waits on the disk, and two deletions at once
 * took 8 s where one after the other took 19 s (two Next.js apps, a loaded 2-core runner).
 */
export async function removeSandboxedAsync(path: string, sandbox = currentSandbox()): Promise<void> {
  if (sandbox) await privilegedAsync(sandbox.privilege, ['rm', '-rf', path]);
  else await rm(path, { recursive: true, force: true });
}

/** A fresh folder in the sandbox that only the user (and leakwatch) can write: where the probe puts snapshots. */
export function folderFor(user: SandboxUser, name: string): string {
  const sandbox = currentSandbox();
  if (!sandbox) throw new Error('folderFor needs a sandbox');
  const dir = mkdtempSync(join(sandbox.root, `${name}-`));
  giveTo(user, dir);
  return dir;
}

/** Takes a folder back from the users, so leakwatch can read what they wrote (heap snapshots). */
export function reclaim(path: string): void {
  const sandbox = currentSandbox();
  if (sandbox?.privilege === 'sudo')
    privileged('sudo', ['chown', '-R', `${process.getuid?.()}:${process.getgid?.()}`, path]);
}
