// Names what grows: three heap snapshots of one app process (after the rounds, then after two more equal
// batches of load), diffed with the 3-snapshot rule. Snapshots pause the app and need about its heap again in
// memory, so they are taken between loads, never under load, and skipped when memory is short.
import { cp, mkdir, rm } from 'node:fs/promises';
import { freemem } from 'node:os';
import { join } from 'node:path';
import type { RunningApp } from '../app/app.js';
import type { HeapExplanation, HeapGrowthRow, SideResult } from '../model/report.js';
import { formatBytes } from '../model/units.js';
import { folderFor, reclaim, userFor } from '../process/isolation/sandbox.js';
import { diffHeapSnapshots } from './heap/diff-heap-snapshots.js';

export interface ExplainGrowthOptions {
  app: RunningApp;
  label: SideResult['label'];
  appDir: string;
  /** Sends this many requests to the app and resolves when they are answered. */
  sendRequests: (requests: number) => Promise<void>;
  requestsPerBatch: number;
  workDir: string;
  bumpedPackages: readonly string[];
  /** Keep the snapshots here (e.g. for an artifact upload) instead of deleting them. */
  keepSnapshotsDir?: string;
  log: (line: string) => void;
}

/** A snapshot needs roughly the heap again; keep a wide margin so the machine never swaps or OOMs. */
const memoryHeadroomFactor = 3;

/** The snapshots are written; their analysis runs on (CPU in this process) while the apps do other things. */
export interface SnapshotsTaken {
  explanation: Promise<HeapExplanation>;
}

/**
 * Takes the three snapshots and resolves once they are written, with the analysis still running, so the caller
 * can snapshot the other side or idle for the settle sample meanwhile. The analysis never rejects: a failure is
 * a skipped explanation with its reason.
 */
export async function snapshotGrowth(options: ExplainGrowthOptions): Promise<SnapshotsTaken> {
  const { app, label, log } = options;
  const skipped = (reason: string): HeapExplanation => ({ label, status: 'skipped', reason });
  const done = (explanation: HeapExplanation): SnapshotsTaken => ({
    explanation: Promise.resolve(explanation),
  });
  if (app.hub.processCount !== 1) {
    return done(skipped(`the app serves from ${app.hub.processCount} processes; heap diffs need one`));
  }
  if (app.hub.rssBytes * memoryHeadroomFactor > freemem()) {
    return done(
      skipped(
        `not enough free memory to snapshot a ${formatBytes(app.hub.rssBytes, { signed: false })} process`,
      ),
    );
  }
  // Sandboxed, the app (its side's user) writes the snapshots into a folder of the sandbox it may write.
  const user = userFor(label);
  const dir = user ? folderFor(user, `snapshots-${label}`) : join(options.workDir, `snapshots-${label}`);
  await mkdir(dir, { recursive: true });
  let taken: { paths: [string, string, string] } | { reason: string };
  try {
    log(`${label}: taking 3 heap snapshots, ${options.requestsPerBatch} requests apart`);
    taken = await takeThreeSnapshots(dir, options);
    if (user) reclaim(dir);
  } catch (error) {
    await keepOrRemove(dir, options);
    throw error;
  }
  if ('reason' in taken) {
    await keepOrRemove(dir, options);
    return done(skipped(taken.reason));
  }
  const explanation = analyse(taken.paths, options)
    .catch((error: unknown) =>
      skipped(`the snapshot analysis failed: ${error instanceof Error ? error.message : String(error)}`),
    )
    .finally(() => keepOrRemove(dir, options));
  return { explanation };
}

async function takeThreeSnapshots(
  dir: string,
  options: ExplainGrowthOptions,
): Promise<{ paths: [string, string, string] } | { reason: string }> {
  const { app } = options;
  const paths: string[] = [];
  for (let snapshot = 0; snapshot < 3; snapshot++) {
    if (snapshot > 0) await options.sendRequests(options.requestsPerBatch);
    if (app.exit !== null) return { reason: `the app stopped (${app.exit.kind}) while being snapshotted` };
    const [path] = await app.writeSnapshots(dir, `snapshot-${snapshot + 1}`);
    if (!path) return { reason: 'the probe wrote no snapshot' };
    paths.push(path);
  }
  return { paths: paths as [string, string, string] };
}

async function analyse(
  paths: [string, string, string],
  options: ExplainGrowthOptions,
): Promise<HeapExplanation> {
  const { label, log } = options;
  const result = await diffHeapSnapshots({
    snapshotPaths: paths,
    requestsBetween: { firstToLast: 2 * options.requestsPerBatch },
    bumpedPackages: options.bumpedPackages,
    appRoot: options.appDir,
    log: (line) => log(`${label}: ${line}`),
  });
  const growing: HeapGrowthRow[] = result.growing.map((group) => ({
    name: group.name,
    nodeType: group.nodeType,
    objectsPerRequest: group.objectsPerRequest,
    bytesPerRequest: group.bytesPerRequest,
    retainedBytesPerRequest: group.retainedBytesPerRequest ?? null,
    retainerPath: group.retainerPathText ?? null,
    sourceFile: group.sourceFile ?? null,
    packages: group.packages,
    bumpedPackages: group.bumpedPackages,
  }));
  log(
    `${label}: ${growing.length} growing object group(s)${growing[0] ? `, largest ${growing[0].name}` : ''}`,
  );
  return {
    label,
    status: 'analysed',
    requests: result.requestsFirstToLast,
    growing,
    analysisMs: result.durationMs,
  };
}

/**
 * Snapshots run to hundreds of MB and can hold secrets from the app's memory: kept only when asked. Never
 * rejects (the analysis it follows may be awaited much later): a failure to keep them is logged.
 */
async function keepOrRemove(dir: string, options: ExplainGrowthOptions): Promise<void> {
  try {
    if (options.keepSnapshotsDir) {
      await mkdir(options.keepSnapshotsDir, { recursive: true });
      await cp(dir, join(options.keepSnapshotsDir, options.label), { recursive: true });
    }
  } catch (error) {
    options.log(`${options.label}: could not keep the heap snapshots: ${String(error)}`);
  }
  await rm(dir, { recursive: true, force: true }).catch((error: unknown) => {
    options.log(`${options.label}: could not delete ${dir}: ${String(error)}`);
  });
}
