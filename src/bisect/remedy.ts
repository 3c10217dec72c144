// After the culprit is known: is there a release to move to instead? Look up the culprit's published versions
// through the project's own package manager, and measure against base the newest release of head's line and the
// latest overall, within a time budget. A downgrade needs no search: base's version is the remedy.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import type { BisectionStep, Remedy } from '../model/bisect.js';
import type { DependencyChange } from '../model/deps.js';
import { detectPackageManager } from '../prepare/package-manager.js';
import { scrubbedEnv } from '../process/env.js';
import { type CandidateBase, measureCandidate } from './measure-candidate.js';

/** Two candidates at most, each an install, a build and a comparison. */
export const defaultRemedyTimeBudgetMs = 10 * 60_000;

export interface FindRemedyOptions extends CandidateBase {
  /** The culprit's lead change: the bumped direct dependency, or the transitive package forced by an override. */
  culprit: DependencyChange;
  /** No new candidate starts once this much time has passed. */
  timeBudgetMs: number;
}

export async function findRemedy(options: FindRemedyOptions): Promise<Remedy> {
  const startedMs = performance.now();
  const { culprit, log } = options;
  const steps: BisectionStep[] = [];
  const done = (advice: Remedy['advice'], version: string | null, sentence: string): Remedy => {
    log(`remedy: ${sentence}`);
    return {
      name: culprit.name,
      advice,
      version,
      sentence,
      steps,
      durationMs: performance.now() - startedMs,
    };
  };
  if (culprit.isRuntime) {
    // Each Node.js release is a whole runtime: the advice is base's, with nothing of the app to search past.
    return done(
      'stay',
      culprit.from,
      `Node.js ${culprit.to} leaks where ${culprit.from} does not: stay on Node.js ${culprit.from}, as base does, until a newer release measures clean`,
    );
  }
  const stay = culprit.from === null ? 'do not add it' : `stay on ${culprit.from}`;
  if (culprit.kind === 'downgrade' && culprit.from !== null) {
    return done('stay', culprit.from, `${culprit.name} ${culprit.to} is a downgrade: ${stay}, as base does`);
  }
  const head = culprit.to === null ? null : semver.valid(culprit.to);
  if (head === null)
    return done('unknown', null, `${culprit.name} ${culprit.to ?? '(removed)'} is no release to search past`);
  let published: string[];
  try {
    published = await publishedVersions(culprit.name, options.baseAppDir, options.workingDirectory);
  } catch (error) {
    return done(
      'unknown',
      null,
      `the published versions of ${culprit.name} could not be listed: ${String(error).slice(0, 200)}`,
    );
  }
  const candidates = remedyCandidates(head, published);
  if (candidates.length === 0)
    return done('stay', culprit.from, `no release of ${culprit.name} is newer than ${head}: ${stay}`);
  for (const [index, { version, label }] of candidates.entries()) {
    if (performance.now() - startedMs > options.timeBudgetMs) {
      return done(
        'unknown',
        null,
        `the remedy time budget ran out before ${culprit.name} ${version} was measured`,
      );
    }
    log(`remedy: measuring base + ${culprit.name} ${version} (${label})`);
    const { step } = await measureCandidate(options, {
      packages: [`${culprit.name}@${version}`],
      changes: [{ ...culprit, to: version }],
      folder: `remedy/${index + 1}`,
      isConfirmation: false,
    });
    steps.push(step);
    log(`remedy: ${culprit.name} ${version}: ${step.verdict} (${step.reason})`);
    if (step.verdict === 'clean') {
      return done('bump', version, `${culprit.name} ${version} (${label}) does not leak: bump to it instead`);
    }
  }
  return done('stay', culprit.from, `no newer release of ${culprit.name} is clean: ${stay}`);
}

/** The newest release of head's line (what `^head` allows), then the latest overall; stable releases only. */
export function remedyCandidates(head: string, published: string[]): { version: string; label: string }[] {
  const stable = published.filter((version) => semver.valid(version) && !semver.prerelease(version));
  const newer = stable.filter((version) => semver.gt(version, head));
  const line = semver.maxSatisfying(newer, `^${head}`);
  const latest = semver.maxSatisfying(newer, '*');
  const lineName = semver.major(head) === 0 ? `0.${semver.minor(head)}.x` : `${semver.major(head)}.x`;
  const candidates = line ? [{ version: line, label: `newest ${lineName}` }] : [];
  if (latest && latest !== line) candidates.push({ version: latest, label: 'latest' });
  return candidates;
}

const run = promisify(execFile);

/**
 * Published versions from the registry the project is configured for: npm's `view` (npm, pnpm and bun read the
 * same .npmrc), yarn's own `info` for yarn projects, whose registry lives in .yarnrc(.yml).
 */
async function publishedVersions(name: string, appDir: string, workingDirectory: string): Promise<string[]> {
  const depth = workingDirectory.split('/').filter((part) => part && part !== '.').length;
  const rootDir = resolve(appDir, ...Array<string>(depth).fill('..'));
  const manager = await detectPackageManager({ rootDir, workingDirectory });
  const prefix = manager.installCommand.split(' ').slice(0, manager.name.startsWith('yarn') ? -2 : -1);
  const [command, ...args] = {
    'yarn-classic': [...prefix, 'info', name, 'versions', '--json'],
    'yarn-berry': [...prefix, 'npm', 'info', name, '--fields', 'versions', '--json'],
  }[manager.name as string] ?? ['npm', 'view', name, 'versions', '--json'];
  const { stdout } = await run(command as string, args, {
    cwd: appDir,
    // The registry query needs no secret: it gets the same allow-listed environment as installs.
    env: scrubbedEnv(process.env, { COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' }),
    timeout: 60_000,
    maxBuffer: 32 << 20,
  });
  // npm prints the array, yarn classic `{ type, data: [...] }`, berry `{ versions: [...] }`.
  const parsed = JSON.parse(stdout) as unknown[] | { data?: unknown; versions?: unknown };
  const list = Array.isArray(parsed) ? parsed : (parsed.data ?? parsed.versions);
  if (!Array.isArray(list)) throw new Error(`unexpected output of ${command} ${args.join(' ')}`);
  return list.filter((version): version is string => typeof version === 'string');
}
