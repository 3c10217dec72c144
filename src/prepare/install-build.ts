import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blockedLinePrefix } from '../model/outbound.js';
import { scrubbedEnv } from '../process/env.js';
import { readLogTail } from '../process/log-tail.js';
import { type RunShellCommandResult, runShellCommand } from '../process/run-command.js';
import { LeakwatchError } from '../settings/errors.js';
import {
  corepackRegistryEnv,
  corepackSignatureHint,
  firstErrorLine,
  isCorepackSignatureFailure,
  registryAccessEnv,
} from './corepack.js';
import { detectPackageManager, type PackageManager, type PackageManagerName } from './package-manager.js';

export interface InstallAndBuildOptions {
  /** The checkout root (a worktree). */
  dir: string;
  /** The app relative to `dir`. Default `.`. The install runs where the lockfile is, the build here. */
  workingDirectory?: string;
  /** Overrides the detected frozen-lockfile install. */
  installCommand?: string;
  /** Overrides the default: the package manager's `run build` if package.json has a build script, else nothing. */
  buildCommand?: string;
  label: 'base' | 'head';
  log: (line: string) => void;
  /** Where the step log goes; it outlives the worktree. */
  logDir: string;
  /** Per step. Default 900,000 ms (15 min). */
  timeoutMs?: number;
  /** Added to the scrubbed environment. */
  env?: Record<string, string>;
  /**
   * Started after the install and disposed after the build: the env the build step alone gets, the scenario's
   * rerouting (its stubs, the outbound rules, the probe's preload).
   */
  buildNetwork?: () => Promise<{ env: Record<string, string> } & AsyncDisposable>;
  /** Names of leakwatch's variables passed to the install only (`install-env`, e.g. NODE_AUTH_TOKEN). */
  installEnv?: readonly string[];
  signal?: AbortSignal;
}

export type InstallAndBuildResult =
  | {
      ok: true;
      packageManager: PackageManagerName;
      installMs: number;
      /** 0 when there is nothing to build. */
      buildMs: number;
      logPath: string;
    }
  | {
      ok: false;
      stage: 'install' | 'build';
      /** Null when the step was killed, e.g. on timeout. */
      exitCode: number | null;
      isTimedOut: boolean;
      /** The last lines of the step log. */
      logTail: string;
      logPath: string;
      hint: string;
    };

const logTailLines = 40;

export async function installAndBuild(options: InstallAndBuildOptions): Promise<InstallAndBuildResult> {
  const { dir, label, log } = options;
  const workingDirectory = options.workingDirectory ?? '.';
  const appDir = join(dir, workingDirectory);
  await mkdir(options.logDir, { recursive: true });
  const logPath = join(options.logDir, `leakwatch-${label}-${randomUUID().slice(0, 8)}.log`);
  const timeoutMs = options.timeoutMs ?? 900_000;
  if (!existsSync(join(appDir, 'package.json'))) {
    await writeFile(logPath, `no package.json in ${workingDirectory}\n`);
    return {
      ok: false,
      stage: 'install',
      exitCode: null,
      isTimedOut: false,
      logTail: `no package.json in ${workingDirectory}`,
      logPath,
      hint: `The ${label} commit has no package.json in ${workingDirectory}. Check working-directory; if the app is new in this PR, there is no baseline to compare against.`,
    };
  }
  const packageManager = await detectPackageManager({ rootDir: dir, workingDirectory });
  for (const warning of packageManager.warnings) log(`${label}: ${warning}`);
  const baseEnv = scrubbedEnv(process.env, {
    ...registryAccessEnv(process.env),
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...options.env,
  });
  const env = { ...baseEnv, ...(await corepackRegistryEnv(join(dir, packageManager.installDir), baseEnv)) };
  const run = (command: string, cwd: string, stepEnv = env) =>
    runShellCommand({ command, cwd, env: stepEnv, logPath, timeoutMs, signal: options.signal, side: label });

  const { installCommand, buildCommand } = await plannedCommands(options, packageManager);
  log(`${label}: ${installCommand} (in ${packageManager.installDir})`);
  const install = await run(installCommand, join(dir, packageManager.installDir), {
    ...env,
    ...installOnlyEnv(options.installEnv ?? []),
  });
  if (!succeeded(install))
    return failure('install', installCommand, install, { options, logPath, timeoutMs, env });

  if (buildCommand === undefined) {
    log(`${label}: no build script in ${workingDirectory}/package.json; skipping the build`);
    return {
      ok: true,
      packageManager: packageManager.name,
      installMs: install.durationMs,
      buildMs: 0,
      logPath,
    };
  }
  await using network = await options.buildNetwork?.();
  log(`${label}: ${buildCommand} (in ${workingDirectory})`);
  const build = await run(buildCommand, appDir, withBuildEnv(env, network?.env));
  if (!succeeded(build)) return failure('build', buildCommand, build, { options, logPath, timeoutMs, env });
  return {
    ok: true,
    packageManager: packageManager.name,
    installMs: install.durationMs,
    buildMs: build.durationMs,
    logPath,
  };
}

/** The build's env: the step's, plus the rerouting; NODE_OPTIONS keeps the user's options before the preload. */
function withBuildEnv(env: Record<string, string>, buildEnv: Record<string, string> | undefined) {
  if (!buildEnv) return env;
  const nodeOptions = [env.NODE_OPTIONS, buildEnv.NODE_OPTIONS].filter(Boolean).join(' ');
  return { ...env, ...buildEnv, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };
}

/** The install and build commands a side runs: the given ones, else the package manager's (build only if scripted). */
export async function plannedCommands(
  options: Pick<InstallAndBuildOptions, 'dir' | 'workingDirectory' | 'installCommand' | 'buildCommand'>,
  packageManager: PackageManager,
): Promise<{ installCommand: string; buildCommand: string | undefined }> {
  const appDir = join(options.dir, options.workingDirectory ?? '.');
  return {
    installCommand: options.installCommand ?? packageManager.installCommand,
    buildCommand:
      options.buildCommand ??
      ((await hasBuildScript(appDir)) ? packageManager.runScriptCommand('build') : undefined),
  };
}

function succeeded(result: RunShellCommandResult): boolean {
  if (result.outcome === 'aborted') {
    throw new LeakwatchError('ABORTED', 'Install and build were cancelled.', {
      hint: 'Nothing to do: leakwatch was stopped.',
    });
  }
  return result.outcome === 'exited' && result.exitCode === 0;
}

async function failure(
  stage: 'install' | 'build',
  command: string,
  result: RunShellCommandResult,
  step: { options: InstallAndBuildOptions; logPath: string; timeoutMs: number; env: Record<string, string> },
): Promise<InstallAndBuildResult> {
  const { options, logPath, timeoutMs, env } = step;
  const isTimedOut = result.outcome === 'timed-out';
  options.log(
    `${options.label}: ${stage} failed (${isTimedOut ? 'timed out' : `exit ${result.exitCode ?? result.exitSignal}`}); log: ${logPath}`,
  );
  // This step's part of the log: a failed build's log starts with the install's output.
  const whole = await readFile(logPath, 'utf8').catch(() => '');
  const log = whole.slice(Math.max(0, whole.lastIndexOf(`$ ${command}\n`)));
  return {
    ok: false,
    stage,
    exitCode: result.exitCode,
    isTimedOut,
    logTail: await readLogTail(logPath, logTailLines),
    logPath,
    hint: isTimedOut
      ? `\`${command}\` ran longer than ${Math.round(timeoutMs / 1000)} s. Make it faster or raise the step timeout.`
      : failureHint(stage, options.label, command, log, env),
  };
}

function failureHint(
  stage: 'install' | 'build',
  label: 'base' | 'head',
  command: string,
  log: string,
  env: Record<string, string>,
): string {
  const input = stage === 'install' ? 'install-command' : 'build-command';
  if (isCorepackSignatureFailure(log)) return corepackSignatureHint(env.COREPACK_NPM_REGISTRY);
  const unreachable = stage === 'build' ? unreachableHosts(log) : [];
  if (unreachable.length > 0) return unreachableHint(unreachable, label);
  const errorLine = firstErrorLine(log);
  // The log's own words, not a guess at the cause.
  if (errorLine) {
    return `${label === 'base' ? 'The base commit (the merge base)' : 'The head commit'} failed to ${stage} with \`${command}\`; the first error in its log: "${errorLine}". Fix that, or set ${input} to a command that works on both commits.`;
  }
  if (label === 'base') {
    return stage === 'build'
      ? `The base commit (the merge base) does not build with \`${command}\`: it may predate the build script or need other steps. Set ${input} to a command that works on both commits.`
      : `The base commit (the merge base) does not install with \`${command}\`: its lockfile may be out of date or use another package manager. Set ${input} to a command that works on both commits.`;
  }
  return stage === 'build'
    ? `The head commit does not build with \`${command}\`; see the log tail. Fix the build, or set ${input} if leakwatch guessed the command wrong.`
    : `The head commit does not install with \`${command}\`: check that the lockfile matches package.json, or set ${input}.`;
}

/**
 * Hosts the build could not reach, from its log: the ones the probe blocked (it writes each once), else the
 * ones a connection or a lookup failed for (`connect ENETUNREACH api.example.com:443`, `getaddrinfo ENOTFOUND x`).
 */
export function unreachableHosts(log: string): string[] {
  const blocked = [...log.matchAll(new RegExp(`${escapeRegExp(blockedLinePrefix)}(\\S+)`, 'g'))].map(
    (match) => match[1] ?? '',
  );
  const failed = [
    ...log.matchAll(
      /\b(?:connect (?:ENETUNREACH|ECONNREFUSED|EHOSTUNREACH)|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)) ([\w.-]+(?::\d+)?)/g,
    ),
  ]
    .map((match) => match[1] ?? '')
    .filter((host) => !/^(127\.|localhost|::1)/.test(host));
  return [...new Set(blocked.length > 0 ? blocked : failed)].filter(Boolean).slice(0, 5);
}

function unreachableHint(hosts: string[], label: 'base' | 'head'): string {
  const listed = hosts.map((host) => host.replace(/:(443|80)$/, '')).join(', ');
  const origin = (host: string) =>
    host.endsWith(':80') ? `http://${host.slice(0, -3)}` : `https://${host.replace(/:443$/, '')}`;
  return (
    `${label === 'base' ? 'The base commit' : 'The head commit'}'s build called ${listed}, which it could not reach: ` +
    "leakwatch keeps the build, like the app, off the network. Declare the origin in an upstream's `hosts` in the " +
    `scenario (e.g. hosts: ["${origin(hosts[0] ?? '')}"]) with fixtures recorded by \`leakwatch record\`, so the ` +
    'build is answered from them, or set `outbound: allow` to let it reach the real host; docs/scenarios.md#builds.'
  );
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function hasBuildScript(appDir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8')) as {
      scripts?: Record<string, unknown>;
    };
    return typeof manifest.scripts?.build === 'string';
  } catch {
    return false;
  }
}

/** `install-env`: leakwatch's own variables the install needs (a private registry's token); build and app never get them. */
function installOnlyEnv(names: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
