import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { diffHeapSnapshots } from '../../src/explain/heap/diff-heap-snapshots.js';

// 6,000 warm-up requests make a list of 192,000 nodes before snapshot 1; each round adds 32,000.
const WARMUP_REQUESTS = 6000;
const ROUND_REQUESTS = 1000;
const NODES_PER_REQUEST = 32;
const app = join(import.meta.dirname, 'fixtures', 'linked-list-app.cjs');
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('diffHeapSnapshots on a long linked list', () => {
  it('finds the list nodes per request, counts only the new part as retained, and folds the path', {
    timeout: 60_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leakwatch-heap-list-'));
    dirs.push(dir);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [app, dir, String(WARMUP_REQUESTS), String(ROUND_REQUESTS)],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    const result = await diffHeapSnapshots({
      snapshotPaths: JSON.parse(stdout) as [string, string, string],
      requestsBetween: { firstToLast: 2 * ROUND_REQUESTS },
      appRoot: dir,
    });

    const nodes = result.growing[0];
    expect(nodes?.name).toBe('Object');
    expect(nodes?.isSteady).toBe(true);
    expect(nodes?.objectsPerRequest).toBeGreaterThanOrEqual(NODES_PER_REQUEST * 0.9);
    expect(nodes?.objectsPerRequest).toBeLessThanOrEqual(NODES_PER_REQUEST * 1.1);
    // The head also keeps the 192,000 nodes from before snapshot 1 alive; they are not this run's growth.
    const bytesPerRequest = nodes?.bytesPerRequest ?? 0;
    expect(nodes?.retainedBytesPerRequest).toBeGreaterThanOrEqual(bytesPerRequest * 0.9);
    expect(nodes?.retainedBytesPerRequest).toBeLessThanOrEqual(bytesPerRequest * 1.1);
    // Tens of thousands of identical hops fold into one step that says how many times it repeats.
    const steps = nodes?.retainerPath?.steps ?? [];
    expect(steps.length).toBeLessThan(20);
    const hop = steps.find((step) => step.edgeName === 'next');
    expect(hop?.repeatCount).toBeGreaterThan(1000);
    expect(nodes?.retainerPathText).toMatch(/Object \(chain\) → Object \(next\) ×\d+$/);
  });
});
