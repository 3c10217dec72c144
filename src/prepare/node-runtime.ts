// A runtime bump runs each side on its own Node.js: the version its commit pins, found in the runner's tool cache
// (where actions/setup-node puts what it installs) or installed from the npm registry's `node` package, whose
// binary lands in node_modules/node/bin, with the newest npm that supports it beside it; their node_modules/.bin
// then goes first on PATH for that side's install, build and app. A side that pins nothing runs on the `node` on
// PATH, as without a bump; so do both sides pinning one version the node on PATH satisfies.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @actions/exec for these short, trusted commands: it runs argv without a shell and collects their output.
import { getExecOutput } from '@actions/exec';
import * as toolCache from '@actions/tool-cache';
import semver from 'semver';
import { classifyChange } from '../deps/classify.js';
import type { BumpUnit, DependencyChange, DependencyDiff, NodePinInfo } from '../model/deps.js';
import { scrubbedEnv } from '../process/env.js';
import { LeakwatchError } from '../settings/errors.js';
import { registryAccessEnv } from './corepack.js';
import { nodeAliasRange } from './node-aliases.js';

/** Where a pinned Node.js comes from: the tool cache, else the npm registry (`auto`), or only one of them. */
export type NodeSource = 'auto' | 'tool-cache' | 'npm';

export interface NodeRuntime {
  /** Without the leading `v`, e.g. `20.16.0`. */
  version: string;
  /** Put first on PATH; null for the `node` already on PATH. */
  binDir: string | null;
  origin: 'path' | 'tool-cache' | 'npm';
}

export interface SideRuntimes {
  /** The dependency changes with the `node` change's versions resolved (e.g. `20` → `20.16.0`). */
  changes: DependencyChange[];
  /**
   * Each side's Node bin folder: when the runtime changed and that side pins one, or when both pin one that the
   * node on PATH does not satisfy.
   */
  binDirs: { base?: string; head?: string };
  /** The diff's bumps, the resolved `node` change first as a bump of its own when the runtime changed. */
  units: BumpUnit[];
}

export interface ResolveRuntimeOptions {
  source: NodeSource;
  /** Where npm-installed runtimes are kept between runs. Default: <tool cache or temp dir>/leakwatch-node. */
  cacheDir?: string;
  log: (line: string) => void;
}

/** Resolves both sides' Node.js when the diff has a runtime change; otherwise changes nothing. */
export async function resolveSideRuntimes(
  diff: DependencyDiff,
  options: ResolveRuntimeOptions,
): Promise<SideRuntimes> {
  const index = diff.changes.findIndex((change) => change.isRuntime);
  if (index < 0) {
    const binDir = await pinnedNodeUnlikePath(diff.nodePins.head, options);
    return {
      changes: diff.changes,
      binDirs: binDir ? { base: binDir, head: binDir } : {},
      units: diff.units,
    };
  }
  // One after the other: two sides pinning one version share its install.
  const base = await resolveNodeRuntime(diff.nodePins.base, options);
  const head = await resolveNodeRuntime(diff.nodePins.head, options);
  options.log(
    `node: base runs on ${describe(base, diff.nodePins.base)}, head on ${describe(head, diff.nodePins.head)}`,
  );
  const changes = [...diff.changes];
  if (base.version === head.version) changes.splice(index, 1);
  else {
    const change = changes[index] as DependencyChange;
    changes[index] = {
      ...change,
      from: base.version,
      to: head.version,
      kind: classifyChange(base.version, head.version),
    };
  }
  const runtime = changes.find((change) => change.isRuntime);
  return {
    changes,
    binDirs:
      base.version === head.version ? {} : { base: base.binDir ?? undefined, head: head.binDir ?? undefined },
    // Bisection weighs the runtime like any bump: head's Node.js on base, with no package changed.
    units: runtime ? [{ lead: 'node', kind: 'bump', changes: [runtime] }, ...diff.units] : diff.units,
  };
}

/**
 * Both sides pin the same Node.js: they run on the node on PATH when it satisfies the pin, else on the pinned
 * one (a project pinning 14 does not build on the runner's 20, and the failure would say nothing about the bump).
 */
async function pinnedNodeUnlikePath(
  pin: NodePinInfo | null,
  options: ResolveRuntimeOptions,
): Promise<string | null> {
  const range = pin ? pinRange(pin) : null;
  if (!pin || !range || !semver.validRange(range)) return null;
  const onPath = await nodeOnPathVersion();
  if (semver.satisfies(onPath, range)) return null;
  const pinned = await resolveNodeRuntime(pin, options);
  options.log(`node: base and head run on ${describe(pinned, pin)}, not on the node on PATH (${onPath})`);
  return pinned.binDir;
}

function describe(runtime: NodeRuntime, pin: NodePinInfo | null): string {
  const where = { path: 'the node on PATH', 'tool-cache': 'the tool cache', npm: 'the npm registry' }[
    runtime.origin
  ];
  return `${runtime.version} (${pin ? `${pin.source} says ${pin.spec}` : 'no pin'}; from ${where})`;
}

export async function resolveNodeRuntime(
  pin: NodePinInfo | null,
  options: ResolveRuntimeOptions,
): Promise<NodeRuntime> {
  if (!pin) return { version: await nodeOnPathVersion(), binDir: null, origin: 'path' };
  const range = pinRange(pin);
  if (!semver.validRange(range)) {
    throw new LeakwatchError(
      'NODE_PIN_UNSUPPORTED',
      `${pin.source} pins Node.js "${pin.spec}", which is not a version, range or alias.`,
      {
        hint: 'Pin a version such as 20.16.0, a range such as 22, or an alias such as lts/iron, lts/* or node.',
      },
    );
  }
  const named = range === pin.spec ? pin.spec : `${pin.spec} (${range})`;
  if (options.source !== 'npm') {
    const dir = process.env.RUNNER_TOOL_CACHE ? toolCache.find('node', range) : '';
    if (dir) return { version: versionIn(dir), binDir: join(dir, 'bin'), origin: 'tool-cache' };
    if (options.source === 'tool-cache') {
      throw new LeakwatchError(
        'NODE_NOT_IN_TOOL_CACHE',
        `Node.js ${named} (${pin.source}) is not in the runner's tool cache.`,
        {
          hint: 'Run actions/setup-node for both versions before leakwatch, or set node-source to npm or auto.',
        },
      );
    }
  }
  return installFromNpm({ range, named, source: pin.source }, options);
}

/** An alias (lts/iron, lts/*, node) is the release line it names; its newest version is what a side runs. */
const pinRange = (pin: NodePinInfo) => nodeAliasRange(pin.spec) ?? pin.spec;

/** The tool cache's folder is <cache>/node/<version>/<arch>. */
const versionIn = (dir: string) => join(dir, '..').split(/[\\/]/).pop() ?? '';

export async function nodeOnPathVersion(): Promise<string> {
  const { stdout } = await getExecOutput('node', ['--version'], {
    silent: true,
    env: scrubbedEnv(process.env),
  });
  return stdout.trim().replace(/^v/, '');
}

async function installFromNpm(
  pin: { range: string; named: string; source: string },
  options: ResolveRuntimeOptions,
): Promise<NodeRuntime> {
  const env = scrubbedEnv(process.env, {
    ...registryAccessEnv(process.env),
    npm_config_update_notifier: 'false',
  });
  const view = await getExecOutput('npm', ['view', `node@${pin.range}`, 'version', '--json'], {
    silent: true,
    ignoreReturnCode: true,
    env,
  });
  const published =
    view.exitCode === 0 && view.stdout.trim() ? ([] as string[]).concat(JSON.parse(view.stdout)) : [];
  const version = semver.maxSatisfying(published, pin.range);
  if (!version) {
    throw new LeakwatchError(
      'NODE_NOT_ON_REGISTRY',
      `No Node.js ${pin.named} (${pin.source}) on the npm registry's node package.`,
      {
        hint: `npm said: ${firstLine(view.stderr) || 'no matching version'}. Check the pinned version, or the registry npm is configured for.`,
      },
    );
  }
  const dir = join(options.cacheDir ?? defaultCacheDir(), version);
  // The registry's node package has no npm: the side would run the runner's npm, which may not run on its Node
  // (npm 11 on Node 14 is a SyntaxError), so the newest npm that supports it is installed beside it.
  const binDir = join(dir, 'node_modules', '.bin');
  if (!existsSync(join(binDir, 'node')) || !existsSync(join(binDir, 'npm'))) {
    const npm = await newestNpmFor(version, env);
    options.log(`node: installing ${version} and npm ${npm} from the npm registry into ${dir}`);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const install = await getExecOutput(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `node@${version}`,
        `npm@${npm}`,
      ],
      { silent: true, ignoreReturnCode: true, env },
    );
    if (install.exitCode !== 0 || !existsSync(join(binDir, 'node'))) {
      throw new LeakwatchError(
        'NODE_INSTALL_FAILED',
        `Installing Node.js ${version} from the npm registry failed.`,
        {
          hint: `npm said: ${firstLine(install.stderr) || `exit code ${install.exitCode}`}`,
        },
      );
    }
  }
  return { version, binDir, origin: 'npm' };
}

async function newestNpmFor(nodeVersion: string, env: Record<string, string>): Promise<string> {
  const view = await getExecOutput('npm', ['view', 'npm@>=6', 'version', 'engines.node', '--json'], {
    silent: true,
    ignoreReturnCode: true,
    env,
  });
  const releases: { version: string; 'engines.node'?: string }[] =
    view.exitCode === 0 && view.stdout.trim() ? [JSON.parse(view.stdout)].flat() : [];
  const supporting = releases
    .filter((release) => !semver.prerelease(release.version))
    .filter((release) => semver.satisfies(nodeVersion, release['engines.node'] ?? '*'))
    .map((release) => release.version);
  const newest = semver.maxSatisfying(supporting, '*');
  if (!newest) {
    throw new LeakwatchError(
      'NODE_INSTALL_FAILED',
      `No npm on the npm registry supports Node.js ${nodeVersion}.`,
      {
        hint: `npm said: ${firstLine(view.stderr) || 'no npm release lists it in engines.node'}`,
      },
    );
  }
  return newest;
}

// Somewhere every sandbox user can read and run: a home folder is usually private to its owner.
function defaultCacheDir(): string {
  return join(process.env.RUNNER_TOOL_CACHE ?? tmpdir(), 'leakwatch-node');
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .find((line) => /\S/.test(line))
    ?.trim() ?? '';
