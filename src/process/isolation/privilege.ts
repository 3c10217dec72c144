// How leakwatch acts as another user: directly when it is root (spawn's uid/gid, which also drops root's
// supplementary groups), or through `sudo -n` when it has passwordless sudo (GitHub-hosted runners).
import { execFile, type SpawnOptions, type SpawnSyncReturns, spawnSync } from 'node:child_process';

export type Privilege = 'root' | 'sudo';

let detected: Privilege | null | undefined;

export function privilegeOf(): Privilege | null {
  if (detected !== undefined) return detected;
  if (process.platform !== 'linux') detected = null;
  else if (process.getuid?.() === 0) detected = 'root';
  else detected = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? 'sudo' : null;
  return detected;
}

function run(file: string, args: string[], options: SpawnOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/** Runs one administrative command (useradd, chown, rm) with leakwatch's privilege. */
export function privileged(privilege: Privilege, argv: string[]): SpawnSyncReturns<string> {
  const [file = '', ...args] = argv;
  return privilege === 'root' ? run(file, args) : run('sudo', ['-n', '--', file, ...args]);
}

/** `privileged` without blocking the event loop, for long commands (deleting an installed app); never rejects. */
export function privilegedAsync(privilege: Privilege, argv: string[]): Promise<void> {
  const [file = '', ...args] = argv;
  const [command, commandArgs] = privilege === 'root' ? [file, args] : ['sudo', ['-n', '--', file, ...args]];
  return new Promise((resolve) => {
    execFile(command, commandArgs, () => resolve());
  });
}

interface UserIds {
  name: string;
  uid: number;
  gid: number;
}

/** Runs a short command as the user, synchronously (checks, kill -1). */
export function runAsUser(privilege: Privilege, user: UserIds, argv: string[]): SpawnSyncReturns<string> {
  const [file = '', ...args] = argv;
  if (privilege === 'root')
    return run(file, args, { uid: user.uid, gid: user.gid, env: { PATH: pathEnv() } });
  return run('sudo', ['-n', '-u', user.name, '--', file, ...args]);
}

/**
 * How to spawn a shell command as the user with exactly `env`. Through sudo, `env -i` sets the environment,
 * since sudo resets it.
 */
export function launchAs(
  privilege: Privilege,
  user: UserIds,
  command: string,
  env: Record<string, string>,
): { file: string; args: string[]; options: SpawnOptions } {
  if (privilege === 'root')
    return { file: '/bin/sh', args: ['-c', command], options: { uid: user.uid, gid: user.gid, env } };
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  return {
    file: 'sudo',
    args: ['-n', '-u', user.name, '--', 'env', '-i', ...assignments, '/bin/sh', '-c', command],
    options: { env: { PATH: pathEnv() } },
  };
}

function pathEnv(): string {
  return process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
}
