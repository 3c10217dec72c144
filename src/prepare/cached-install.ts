// Base's install and build through the base cache: restore on a hit (nothing runs), else install, build and save
// before the app ever starts, so the entry holds exactly what the install and build produced.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getExecOutput } from '@actions/exec';
import type { BaseCacheUse } from '../model/report.js';
import { scrubbedEnv } from '../process/env.js';
import { giveTo, userFor } from '../process/isolation/sandbox.js';
import { type BaseCacheStore, baseCacheKey } from './base-cache.js';
import {
  type InstallAndBuildOptions,
  type InstallAndBuildResult,
  installAndBuild,
  plannedCommands,
} from './install-build.js';
import { detectPackageManager } from './package-manager.js';

export interface BaseCacheOptions {
  store: BaseCacheStore;
  mergeBaseSha: string;
}

export async function installAndBuildWithCache(
  options: InstallAndBuildOptions,
  cache: BaseCacheOptions,
): Promise<{ result: InstallAndBuildResult; cache?: BaseCacheUse }> {
  const { log, label } = options;
  const workingDirectory = options.workingDirectory ?? '.';
  const packageManager = await detectPackageManager({ rootDir: options.dir, workingDirectory });
  const commands = await plannedCommands(options, packageManager);
  const keyedFile = packageManager.lockfile ?? join(workingDirectory, 'package.json');
  const keyedBytes = await readFile(join(options.dir, keyedFile)).catch(() => null);
  // Without a package.json there is nothing to cache; installAndBuild reports why.
  if (!keyedBytes) return { result: await installAndBuild(options) };
  const key = baseCacheKey({
    mergeBaseSha: cache.mergeBaseSha,
    workingDirectory,
    lockfileHash: createHash('sha256').update(keyedBytes).digest('hex'),
    installCommand: commands.installCommand,
    buildCommand: commands.buildCommand ?? '',
    nodeVersion: await installingNodeVersion(options.env),
    platform: `${process.platform}-${process.arch}`,
  });
  const installDir = join(options.dir, packageManager.installDir);
  const startedMs = performance.now();
  // An unreachable cache service or an unreadable folder costs time, never the run: it counts as a miss.
  const restored = await cache.store
    .restore(key, installDir)
    .catch((error: unknown) => ({ status: 'miss' as const, reason: String(error).slice(0, 200) }));
  const use = (status: BaseCacheUse['status'], note?: string): BaseCacheUse => ({
    status,
    key,
    store: cache.store.description,
    ...(note ? { note } : {}),
    durationMs: performance.now() - startedMs,
  });
  if (restored.status === 'hit') {
    // Restored by leakwatch, so owned by it: the sandboxed app may need to write there (build caches).
    const user = userFor(label);
    if (user) giveTo(user, installDir);
    await mkdir(options.logDir, { recursive: true });
    const logPath = join(options.logDir, `leakwatch-${label}-cache.log`);
    await writeFile(logPath, `restored ${key} from ${cache.store.description}\n`);
    log(`${label}: restored from the base cache (${key}); install and build skipped`);
    const result = {
      ok: true,
      packageManager: packageManager.name,
      installMs: 0,
      buildMs: 0,
      logPath,
    } as const;
    return { result, cache: use('hit') };
  }
  const note =
    restored.status === 'corrupt'
      ? `discarded a corrupt entry: ${restored.reason}`
      : 'reason' in restored
        ? `restore failed: ${restored.reason}`
        : undefined;
  if (note) log(`${label}: base cache: ${note}; building`);
  const status = restored.status === 'corrupt' ? 'rebuilt' : 'miss';
  const result = await installAndBuild(options);
  if (!result.ok) return { result, cache: use(status, note) };
  try {
    const saved = await cache.store.save(key, installDir);
    const outcome = saved === true ? 'saved' : `not saved: ${saved}`;
    log(`${label}: base cache: ${outcome} (${key})`);
    return { result, cache: use(status, [note, outcome].filter(Boolean).join('; ')) };
  } catch (error) {
    // A full disk or an unreachable cache service costs the next run time, never this run's result.
    log(`${label}: could not save to the base cache: ${String(error)}`);
    return { result, cache: use(status, `not saved: ${String(error).slice(0, 200)}`) };
  }
}

/** The Node.js that installs and builds (the side's own after a runtime bump), not the one leakwatch runs on. */
async function installingNodeVersion(env: Record<string, string> | undefined): Promise<string> {
  const { stdout } = await getExecOutput('node', ['--version'], {
    silent: true,
    env: scrubbedEnv(process.env, env),
  });
  return stdout.trim();
}
