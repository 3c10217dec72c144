import { commitOf, git } from '../process/git.js';
import { LeakwatchError } from '../settings/errors.js';
import { nearestRefs } from './nearest-refs.js';

export interface ResolveBaselineOptions {
  repoDir: string;
  /** The PR's base branch (or any ref); the baseline is its merge base with `headRef`, not its tip. */
  baseRef: string;
  headRef: string;
  log: (line: string) => void;
  /** Deepening rounds for a shallow clone; each doubles the step, starting at 50 commits. Default 5 (1,550 commits). */
  maxDeepenRounds?: number;
}

export interface Baseline {
  baseSha: string;
  headSha: string;
  /** The commit the PR branched from: what the head is compared against. */
  mergeBaseSha: string;
}

const fetchDepthHint =
  'Fetch the full history: set `fetch-depth: 0` on actions/checkout (or run `git fetch --unshallow` locally).';

export async function resolveBaseline(options: ResolveBaselineOptions): Promise<Baseline> {
  const { repoDir, log } = options;
  for (const ref of [options.baseRef, options.headRef]) checkRef(ref);
  const gitDir = await git(repoDir, ['rev-parse', '--git-dir']);
  if (gitDir.exitCode !== 0) {
    throw new LeakwatchError('NOT_A_GIT_REPO', `${repoDir} is not a git repository: ${gitDir.stderr}`, {
      hint: 'Run leakwatch inside the checkout of the project, or pass its path with --cwd.',
    });
  }
  const isShallow = await isShallowRepository(repoDir);
  const headSha = await resolveCommit(repoDir, options.headRef, isShallow, log);
  const baseSha = await resolveCommit(repoDir, options.baseRef, isShallow, log);

  let mergeBase = await git(repoDir, ['merge-base', baseSha, headSha]);
  const maxRounds = options.maxDeepenRounds ?? 5;
  for (let round = 0, step = 50; mergeBase.exitCode !== 0 && round < maxRounds; round++, step *= 2) {
    if (!(await isShallowRepository(repoDir))) break;
    log(
      `merge base of ${options.baseRef} and ${options.headRef} not in the shallow clone; fetching ${step} more commits`,
    );
    const fetched = await git(repoDir, [
      'fetch',
      '--no-tags',
      `--deepen=${step}`,
      '--end-of-options',
      'origin',
      baseSha,
      headSha,
    ]);
    if (fetched.exitCode !== 0) {
      throw new LeakwatchError(
        'SHALLOW_CLONE',
        `The clone is shallow and deepening it failed, so the merge base of ${options.baseRef} and ${options.headRef} is unknown: ${fetched.stderr}`,
        { hint: fetchDepthHint },
      );
    }
    mergeBase = await git(repoDir, ['merge-base', baseSha, headSha]);
  }
  if (mergeBase.exitCode !== 0) {
    const stillShallow = await isShallowRepository(repoDir);
    throw new LeakwatchError(
      stillShallow ? 'SHALLOW_CLONE' : 'NO_MERGE_BASE',
      stillShallow
        ? `The merge base of ${options.baseRef} and ${options.headRef} is deeper than the shallow clone, even after deepening it.`
        : `${options.baseRef} and ${options.headRef} share no history.`,
      { hint: stillShallow ? fetchDepthHint : 'Pass a base ref that the head branched from.' },
    );
  }
  return { baseSha, headSha, mergeBaseSha: mergeBase.stdout };
}

/**
 * A ref comes from a flag or an event payload: it must never read as an option (`--upload-pack=...` ran a
 * command through `git fetch`). Branch names, tags, SHAs and `HEAD~1`-style expressions pass.
 */
function checkRef(ref: string): void {
  if (/^[A-Za-z0-9_][A-Za-z0-9_./~^@{}+-]{0,254}$/.test(ref) && !ref.includes('..')) return;
  throw new LeakwatchError('REF_INVALID', `\`${ref.slice(0, 100)}\` is not a git ref leakwatch accepts`, {
    hint: 'Pass a branch, tag or commit SHA (letters, digits and . _ / ~ ^ @ { } + -, not starting with - or containing ..).',
  });
}

async function isShallowRepository(repoDir: string): Promise<boolean> {
  return (await git(repoDir, ['rev-parse', '--is-shallow-repository'])).stdout === 'true';
}

async function resolveCommit(
  repoDir: string,
  ref: string,
  isShallow: boolean,
  log: (line: string) => void,
): Promise<string> {
  // A CI checkout has `origin/main` but no local `main`.
  for (const candidate of [ref, `origin/${ref}`]) {
    const local = await commitOf(repoDir, candidate);
    if (local !== null) return local;
  }

  // actions/checkout fetches one ref only: the base branch or the PR head SHA is often missing locally.
  const remoteRef = ref.replace(/^(refs\/remotes\/)?origin\//, '');
  log(`${ref} is not in the local clone; fetching it from origin`);
  const fetched = await git(repoDir, [
    'fetch',
    '--no-tags',
    ...(isShallow ? ['--depth=1'] : []),
    '--end-of-options',
    'origin',
    remoteRef,
  ]);
  const resolved =
    fetched.exitCode === 0
      ? await git(repoDir, ['rev-parse', '--verify', '--quiet', 'FETCH_HEAD^{commit}'])
      : fetched;
  if (resolved.exitCode !== 0) {
    throw new LeakwatchError('REF_NOT_FOUND', `Cannot find ${ref} locally or on origin: ${fetched.stderr}`, {
      hint: isShallow
        ? `Check that ${ref} names a branch, tag or commit. ${fetchDepthHint}`
        : await missingRefHint(repoDir, ref),
    });
  }
  return resolved.stdout;
}

/** In a full clone the ref is simply not there: name the refs that are, closest first. */
async function missingRefHint(repoDir: string, ref: string): Promise<string> {
  const nearest = await nearestRefs(repoDir, ref);
  if (nearest.length === 0)
    return `No branch, tag or commit is called ${ref}, and the repository has no branches.`;
  return `No branch, tag or commit is called ${ref}. The nearest that exist: ${nearest.join(', ')}.`;
}
