// The engine end to end: real fixture servers under the real probe, real autocannon load, real verdicts.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFixtures, primarySteady } from '../helpers/engine.js';

const marker = `leakwatch-engine-test-${process.pid}`;

function leftoverProcesses(): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(marker));
}

afterAll(() => {
  expect(leftoverProcesses()).toEqual([]);
});

describe('compare on fixture servers', () => {
  it('passes identical servers, with every round sampled from the one serving process', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'none' },
      marker,
    });
    expect(report.comparison.verdict).toBe('unchanged');
    for (const side of [report.base, report.head]) {
      expect(side.verdict).toBe('flat');
      expect(side.samples.filter((sample) => sample.phase === 'measure')).toHaveLength(12);
      expect(side.samples.every((sample) => sample.processCount === 1)).toBe(true);
      // Warm-up ends once the heap stops drifting within its own noise: not before the probe and three chunks of
      // 480, and at the latest after the whole planned load (5,000 + 12 × 500) while it still drifts.
      expect(report.schedule.warmupRequests).toBeGreaterThanOrEqual(200 + 3 * 480);
      expect(report.schedule.warmupRequests).toBeLessThanOrEqual(5000 + 12 * 500);
      expect(side.samples.at(-1)?.requestsSent).toBe(report.schedule.warmupRequests + 12 * 500);
      // The probe counts what the server saw: our load plus the readiness check.
      expect(side.samples.at(-1)?.requestsSeen).toBeGreaterThanOrEqual(report.schedule.warmupRequests + 6000);
      expect(side.traffic?.failed).toBe(0);
      expect(side.traffic?.requests).toBe(side.load.requests);
      expect(side.traffic?.statuses).toEqual({ 200: side.load.requests });
    }
    expect(leftoverProcesses()).toEqual([]);
  });

  it('finds a 1 KB/request heap leak at head, with its size', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'heap', LEAK_BYTES: 1024 },
      marker,
    });
    expect(report.comparison.verdict).toBe('regression');
    expect(report.head.verdict).toBe('leak');
    expect(report.base.verdict).toBe('flat');
    expect(primarySteady(report.head)).toBeGreaterThan(900);
    expect(primarySteady(report.head)).toBeLessThan(1400);
  });

  it('finds an off-heap Buffer leak through external and arrayBuffers', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'buffer', LEAK_BYTES: 4096 },
      marker,
    });
    expect(report.comparison.verdict).toBe('regression');
    const arrayBuffers = report.head.fits.find((fit) => fit.metric === 'arrayBuffers');
    expect(arrayBuffers?.verdict).toBe('leak');
    expect(arrayBuffers?.steady?.slope).toBeGreaterThan(3900);
    expect(arrayBuffers?.steady?.slope).toBeLessThan(4400);
  });

  it('finds a leak held by event-listener closures', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'listener', LEAK_BYTES: 512 },
      marker,
    });
    expect(report.comparison.verdict).toBe('regression');
    expect(primarySteady(report.head)).toBeGreaterThan(400);
  });

  it('calls a bounded cache that fills during the run a plateau, not a regression', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      // Warm-up runs on while the cache fills, up to the whole planned load (1,000 + 16 × 500): a 12,000-entry
      // cache then fills over the first 3,000 of 8,000 measured requests, growth in the first half only.
      head: { LEAK_KIND: 'lru', LRU_CAPACITY: 12_000 },
      settings: { warmupRequests: 1000, rounds: 16 },
      marker,
    });
    expect(report.head.verdict).toBe('plateau');
    expect(report.comparison.verdict).toBe('unchanged');
  });

  it('reports the same leak at base and head as pre-existing', async () => {
    const leak = { LEAK_KIND: 'heap', LEAK_BYTES: 2048 };
    const { report } = await compareFixtures({ base: leak, head: leak, marker });
    expect(report.comparison.verdict).toBe('pre-existing');
  });

  it('counts a head that runs out of heap under a 64 MB cap as a regression, keeping its samples', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'heap', LEAK_BYTES: 20_000 },
      settings: { heapCapMb: 64, warmupRequests: 1000, rounds: 12, requestsPerRound: 1000 },
      marker,
    });
    expect(report.head.exit?.kind).toBe('oom');
    expect(report.head.exit?.requestsSent).toBeGreaterThan(1000);
    // The count reaches the requests it answered before dying, at least the last sample's, and leaves out the
    // refused connection attempts after it (none when it dies between loads, e.g. while it is snapshotted).
    const lastSample = report.head.samples.at(-1)?.requestsSent ?? 0;
    expect(report.head.exit?.requestsSent).toBeGreaterThanOrEqual(lastSample);
    const traffic = report.head.traffic;
    expect(report.head.exit?.requestsSent).toBeLessThanOrEqual(
      (traffic?.requests ?? 0) - (traffic?.connectionErrors ?? 0),
    );
    // Failures after an OOM are its consequence, not failing traffic: the verdict stays the OOM's.
    expect(report.head.error).toBeUndefined();
    expect(report.head.samples.length).toBeGreaterThan(0);
    expect(report.head.verdict).toBe('crashed');
    expect(report.comparison.verdict).toBe('regression');
    expect(report.base.verdict).toBe('flat');
  });

  it('stops an off-heap leak at the RSS watchdog and counts it as a regression', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'buffer', LEAK_BYTES: 100_000 },
      settings: { heapCapMb: 64, rssLimitMb: 200, warmupRequests: 1000, rounds: 12, requestsPerRound: 500 },
      marker,
    });
    expect(report.head.exit?.kind).toBe('watchdog');
    expect(report.comparison.verdict).toBe('regression');
  });

  it('reports a server that crashes at start as an error with its log', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'crash-at-start' },
      marker,
    });
    expect(report.comparison.verdict).toBe('error');
    expect(report.head.error?.code).toBe('START_FAILED');
    expect(report.head.error?.logTail).toContain('failing on purpose');
  });

  it('does not announce a warm-up when both apps exited at start', async () => {
    const { report, lines } = await compareFixtures({
      base: { LEAK_KIND: 'crash-at-start' },
      head: { LEAK_KIND: 'crash-at-start' },
      marker,
    });
    expect(report.comparison.verdict).toBe('error');
    expect(lines.join('\n')).not.toMatch(/warming up|round \d/);
    expect(report.base.load.requests + report.head.load.requests).toBe(0);
  });

  it('reports a server that never becomes ready as an error, and kills it', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'never-ready' },
      head: { LEAK_KIND: 'none' },
      settings: { readyTimeoutMs: 1500 },
      marker,
    });
    expect(report.comparison.verdict).toBe('error');
    expect(report.base.error?.code).toBe('NOT_READY');
    expect(leftoverProcesses()).toEqual([]);
  });

  it('never lets GitHub or Actions tokens or INPUT_ variables reach the app', async () => {
    const secrets = {
      GITHUB_TOKEN: 'ghs_secret',
      ACTIONS_RUNTIME_TOKEN: 'runtime-secret',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret',
      INPUT_GITHUB_TOKEN: 'input-secret',
      NPM_TOKEN: 'npm-secret',
    };
    Object.assign(process.env, secrets);
    try {
      const { report, workDir } = await compareFixtures({
        base: { LEAK_KIND: 'none', ENV_DUMP_PATH: 'ENV_BASE' },
        head: { LEAK_KIND: 'none' },
        settings: { warmupRequests: 100, rounds: 4, requestsPerRound: 100 },
        marker,
      });
      const env = JSON.parse(await readFile(join(workDir, 'base', 'ENV_BASE'), 'utf8')) as Record<
        string,
        string
      >;
      for (const name of Object.keys(secrets)) expect(env).not.toHaveProperty(name);
      expect(JSON.stringify(env)).not.toMatch(/secret/);
      expect(env.PORT).toMatch(/^\d+$/);
      expect(env.NODE_OPTIONS).toContain('--max-old-space-size=256');
      expect(report.base.error).toBeUndefined();
    } finally {
      for (const name of Object.keys(secrets)) delete process.env[name];
    }
  });
});

describe('heap diff on a regression', () => {
  it('names the growing objects at head and what holds them, and snapshots only head when base is flat', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'heap', LEAK_BYTES: 1024 },
      settings: { heapSnapshots: 'on-regression' },
      marker,
    });
    expect(report.comparison.verdict).toBe('regression');
    const head = report.heapDiffs?.find((diff) => diff.label === 'head');
    if (head?.status !== 'analysed') throw new Error('head should be analysed');
    // The fixture keeps 32 one-property objects (32 B each) per request in a linked list named `chain`.
    const [top] = head.growing;
    expect(top?.name).toBe('Object');
    expect(top?.objectsPerRequest).toBeGreaterThan(32 * 0.9);
    expect(top?.objectsPerRequest).toBeLessThan(32 * 1.1);
    expect(top?.retainerPath).toContain('chain');
    // Base grows no more than a healthy server: its diff would not be shown, so it is not taken.
    expect(report.heapDiffs?.map((diff) => diff.label)).toEqual(['head']);
  });
});
