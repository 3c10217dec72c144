import { join } from 'node:path';
import type { BaseCacheUse } from '../model/report.js';
import type { BaseCacheStore } from './base-cache.js';
import { installAndBuildWithCache } from './cached-install.js';
import { type InstallAndBuildOptions, type InstallAndBuildResult, installAndBuild } from './install-build.js';
import { createWorktree, type Worktree } from './worktree.js';

/**
 * `overlapped` installs and builds both sides at once; `sequential` does base, then head.
 * Overlapped is the default: on a 2-core box it took a median 0.55 of the sequential wall time (install with
 * a cold or warm npm cache plus a tsc build), as one side's install fills the gaps in the other's single-threaded
 * build (bench/prepare.mjs, bench/results/prepare.json).
 * It doubles peak memory, which `sequential` avoids for builds near the runner's limit.
 */
export type PrepareMode = 'sequential' | 'overlapped';

export interface PrepareBothOptions
  extends Pick<
    InstallAndBuildOptions,
    | 'workingDirectory'
    | 'installCommand'
    | 'buildCommand'
    | 'log'
    | 'logDir'
    | 'timeoutMs'
    | 'env'
    | 'installEnv'
    | 'signal'
  > {
  repoDir: string;
  /** The merge base, from `resolveBaseline`. */
  baseSha: string;
  headSha: string;
  mode?: PrepareMode;
  /** Parent of the worktrees' temp directories. Default: the OS temp dir. */
  worktreeParentDir?: string;
  /** Restore base's installed and built app from here, or save it after building. Default: no cache. */
  baseCache?: BaseCacheStore;
  /** Added to one side's environment only: its own Node.js on PATH after a runtime bump. */
  sideEnv?: { base?: Record<string, string>; head?: Record<string, string> };
  /** Each side's build rerouting, started before its build (the scenario is read from head's app folder). */
  buildNetwork?: (
    label: 'base' | 'head',
    headAppDir: string,
  ) => Promise<{ env: Record<string, string> } & AsyncDisposable>;
}

export interface PreparedSide {
  sha: string;
  /** The worktree root. */
  dir: string;
  /** Where the app is: `dir` joined with the working directory. */
  appDir: string;
  result: InstallAndBuildResult;
  /** Set for base when a base cache was given and used. */
  cache?: BaseCacheUse;
}

/** Both sides checked out and built; disposing removes both worktrees. */
export interface PreparedBoth extends AsyncDisposable {
  base: PreparedSide;
  head: PreparedSide;
  mode: PrepareMode;
  wallMs: number;
}

export const defaultPrepareMode: PrepareMode = 'overlapped';

export async function prepareBoth(options: PrepareBothOptions): Promise<PreparedBoth> {
  const { repoDir, log } = options;
  const mode = options.mode ?? defaultPrepareMode;
  const startedMs = performance.now();
  const worktrees: Worktree[] = [];
  // Both at once: deleting two installed apps is mostly waiting on the disk.
  const disposeAll = async () => {
    const settled = await Promise.allSettled(worktrees.map((worktree) => worktree[Symbol.asyncDispose]()));
    const errors = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    if (errors.length > 0) throw new AggregateError(errors, 'Removing the worktrees failed');
  };
  try {
    const parentDir = options.worktreeParentDir;
    const base = await createWorktree({ repoDir, sha: options.baseSha, label: 'base', log, parentDir });
    worktrees.push(base);
    const head = await createWorktree({ repoDir, sha: options.headSha, label: 'head', log, parentDir });
    worktrees.push(head);

    const appDirOf = (worktree: Worktree) => join(worktree.dir, options.workingDirectory ?? '.');
    const prepare = async (worktree: Worktree, label: 'base' | 'head'): Promise<PreparedSide> => {
      const env = { ...options.env, ...options.sideEnv?.[label] };
      const { buildNetwork } = options;
      const stepOptions = {
        ...options,
        env,
        dir: worktree.dir,
        label,
        buildNetwork: buildNetwork && (() => buildNetwork(label, appDirOf(head))),
      };
      const store = label === 'base' ? options.baseCache : undefined;
      const prepared = store
        ? await installAndBuildWithCache(stepOptions, { store, mergeBaseSha: options.baseSha })
        : { result: await installAndBuild(stepOptions) };
      return {
        sha: worktree.sha,
        dir: worktree.dir,
        appDir: appDirOf(worktree),
        ...prepared,
      };
    };
    let sides: [PreparedSide, PreparedSide];
    if (mode === 'overlapped') {
      // allSettled: a side must not lose its worktree while the other side is still installing into it.
      const settled = await Promise.allSettled([prepare(base, 'base'), prepare(head, 'head')]);
      const rejected = settled.find((outcome) => outcome.status === 'rejected');
      if (rejected) throw rejected.reason;
      sides = settled.map((outcome) => (outcome as PromiseFulfilledResult<PreparedSide>).value) as [
        PreparedSide,
        PreparedSide,
      ];
    } else {
      sides = [await prepare(base, 'base'), await prepare(head, 'head')];
    }
    return {
      base: sides[0],
      head: sides[1],
      mode,
      wallMs: performance.now() - startedMs,
      [Symbol.asyncDispose]: disposeAll,
    };
  } catch (error) {
    await disposeAll();
    throw error;
  }
}
