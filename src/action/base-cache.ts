// The base cache in the action: entries live in the Actions cache service (@actions/cache), staged in a fixed
// folder because the service keys an entry by its paths as well as its key.
//
// Trust: GitHub scopes a cache entry to the ref of the run that saved it. A `pull_request` run saves into its PR's
// scope, which only later runs of that PR can restore; it can restore entries of the base branch. Head's code runs
// in the same job as base's build, so an entry it saves may have been tampered with: it must never land in a scope
// trusted runs restore. Leakwatch therefore saves only from `pull_request` runs, and never from
// `pull_request_target` or any other event, whose entries would go to the base branch's scope.
import { rm } from 'node:fs/promises';
import * as cache from '@actions/cache';
import { type BaseCacheStore, restoreEntry, verifyEntry, writeEntry } from '../prepare/base-cache.js';

export function actionsCacheStore(options: {
  stagingDir: string;
  /** Only a run whose saved entries stay in an untrusted scope may save (see above). */
  maySave: boolean;
  log: (line: string) => void;
}): BaseCacheStore {
  const { stagingDir } = options;
  return {
    description: 'actions/cache',
    async restore(key, targetDir) {
      await rm(stagingDir, { recursive: true, force: true });
      const restoredKey = await cache.restoreCache([stagingDir], key);
      if (restoredKey !== key) return { status: 'miss' };
      try {
        const verdict = await verifyEntry(stagingDir, key);
        // The service keeps entries immutable: a corrupt one cannot be replaced, only outlived by a new key.
        if (verdict.status === 'hit') await restoreEntry(stagingDir, targetDir);
        return verdict;
      } finally {
        await rm(stagingDir, { recursive: true, force: true });
      }
    },
    async save(key, sourceDir) {
      if (!options.maySave) return 'this event would put the entry where trusted runs restore it';
      await rm(stagingDir, { recursive: true, force: true });
      try {
        await writeEntry(sourceDir, stagingDir, key);
        // saveCache logs and swallows service failures (a key already taken, a failed upload) and returns -1.
        const isSaved = (await cache.saveCache([stagingDir], key)) !== -1;
        return isSaved || 'the cache service did not take it (see the warning above)';
      } finally {
        await rm(stagingDir, { recursive: true, force: true });
      }
    },
  };
}
