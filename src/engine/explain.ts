// Names what grows: three heap snapshots of one app process (after the rounds, then after two more equal
// batches of load), diffed with the 3-snapshot rule. Snapshots pause the app and need about its heap again in
// memory, so they are taken between loads, never under load, and skipped when memory is short.
import { cp, mkdir, rm } from 'node:fs/promises';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { diffHeapSnapshots } from '../heap/diff-heap-snapshots.js';
import type { HeapExplanation, HeapGrowthRow, SideResult } from '../report/types.js';
import type { RunningApp } from './app.js';

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

export async function explainGrowth(options: ExplainGrowthOptions): Promise<HeapExplanation> {
  const { app, label, log } = options;
  const skipped = (reason: string): HeapExplanation => ({ label, status: 'skipped', reason });
  if (app.hub.processCount !== 1) {
    return skipped(`the app serves from ${app.hub.processCount} processes; heap diffs need one`);
  }
  if (app.hub.rssBytes * memoryHeadroomFactor > freemem()) {
    return skipped(
      `not enough free memory to snapshot a ${Math.round(app.hub.rssBytes / 2 ** 20)} MB process`,
    );
  }
  const dir = join(options.workDir, `snapshots-${label}`);
  await mkdir(dir, { recursive: true });
  try {
    log(`${label}: taking 3 heap snapshots, ${options.requestsPerBatch} requests apart`);
    const paths: string[] = [];
    for (let snapshot = 0; snapshot < 3; snapshot++) {
      if (snapshot > 0) await options.sendRequests(options.requestsPerBatch);
      if (app.exit !== null) return skipped(`the app stopped (${app.exit.kind}) while being snapshotted`);
      const [path] = await app.hub.writeSnapshots(dir, `snapshot-${snapshot + 1}`);
      if (!path) return skipped('the probe wrote no snapshot');
      paths.push(path);
    }
    const result = await diffHeapSnapshots({
      snapshotPaths: [paths[0] as string, paths[1] as string, paths[2] as string],
      requestsBetween: { firstToLast: 2 * options.requestsPerBatch },
      bumpedPackages: options.bumpedPackages,
      appRoot: options.appDir,
      log,
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
  } finally {
    // Snapshots run to hundreds of MB and can hold secrets from the app's memory: kept only when asked.
    if (options.keepSnapshotsDir) {
      await mkdir(options.keepSnapshotsDir, { recursive: true });
      await cp(dir, join(options.keepSnapshotsDir, label), { recursive: true });
    }
    await rm(dir, { recursive: true, force: true });
  }
}
