// The warm-up stop rule (pure): a heap is warm once it has stayed level within its own scatter over a window long
// enough to rule out drift above the tolerance, at most as long as the rounds. Curves are shaped like the
// benchmark apps' measured warm-ups.
import { describe, expect, it } from 'vitest';
import { type DriftPoint, judgeDrift, minNoiseBytes, sampleNoise } from '../../src/measure/drift.js';

const tolerance = 8;
/** The default rounds: 20 of 500 requests. */
const roundsRequests = 10_000;

/** Seeded normal noise (mulberry32 + Box–Muller), so every run of the test sees the same curve. */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Samples every `chunk` requests from `from` to `to` of `shape(requests)` plus noise of sd `noise` bytes. */
function curve(
  shape: (requests: number) => number,
  options: { from: number; to: number; chunk: number; noise: number; seed?: number },
): DriftPoint[] {
  const next = gaussian(options.seed ?? 7);
  const points: DriftPoint[] = [];
  for (let requests = options.from; requests <= options.to; requests += options.chunk)
    points.push({ requests, bytes: 10e6 + shape(requests) + options.noise * next() });
  return points;
}

/** The request count of the first sample at which the rule calls the heap warm, or null. */
function firstWarm(points: DriftPoint[]): number | null {
  for (let end = 1; end <= points.length; end++) {
    if (judgeDrift(points.slice(0, end), tolerance, roundsRequests).isWarm)
      return points[end - 1]?.requests ?? null;
  }
  return null;
}

describe('sampleNoise', () => {
  it('estimates the scatter of one sample, not the rise a warming heap adds to each step', () => {
    const points = curve((requests) => 150 * requests, { from: 200, to: 6200, chunk: 500, noise: 20_000 });
    const noise = sampleNoise(points);
    expect(noise).toBeGreaterThan(10_000);
    expect(noise).toBeLessThan(40_000);
  });

  it('needs four samples and never reads a heap quieter than an idle one', () => {
    expect(sampleNoise([{ requests: 0, bytes: 1 }])).toBeNull();
    const still = [0, 1, 2, 3, 4].map((index) => ({ requests: index * 100, bytes: 5e6 }));
    expect(sampleNoise(still)).toBe(minNoiseBytes);
  });
});

describe('judgeDrift', () => {
  it('calls a flat, quiet heap warm after a few samples', () => {
    const points = curve(() => 0, { from: 200, to: 5000, chunk: 480, noise: 8_000 });
    const warmAt = firstWarm(points);
    expect(warmAt).not.toBeNull();
    expect(warmAt).toBeLessThanOrEqual(3000);
  });

  it('keeps a plain server warming while its JIT grows the heap by 170 B/request, then ends soon after', () => {
    // The measured unwarmed plain server: 171–213 B/request over its first 2k requests, flat after.
    const shape = (requests: number) => 180 * Math.min(requests, 2500);
    const points = curve(shape, { from: 200, to: 8000, chunk: 480, noise: 8_000 });
    const warmAt = firstWarm(points);
    expect(warmAt).not.toBeNull();
    expect(warmAt).toBeGreaterThan(2500);
    expect(warmAt).toBeLessThan(7000);
  });

  it('never calls a noisy heap warm while it still rises by 100 B/request in small chunks (the rerouted app on a loaded machine)', () => {
    // ±100 KB scatter, 130-request chunks: a 32 KB band never fires, and a band of three samples' noise would
    // fire at once although each chunk adds 13 KB.
    const points = curve((requests) => 100 * requests, {
      from: 200,
      to: 9000,
      chunk: 130,
      noise: 100_000,
    });
    expect(firstWarm(points)).toBeNull();
  });

  it('calls a noisy level heap level once it has stayed level as long as the rounds (a Next.js app at ±150 KB)', () => {
    // The band over the tolerance asks for ~52,000 requests, more than warm-up and rounds together send.
    const points = curve(() => 0, { from: 200, to: 15_000, chunk: 480, noise: 150_000 });
    const warmAt = firstWarm(points);
    expect(warmAt).toBeGreaterThanOrEqual(10_200);
    expect(warmAt).toBeLessThan(11_000);
  });

  it('keeps a heap rising at one pace warming: a leak cannot be told from a cache that fills later', () => {
    // The pipeline fixture's head: ~4 KB/request over a Next.js app's scatter. Ending its warm-up once the rise
    // had lasted as long as the rounds put a 12,000-entry cache's last fill in the rounds' steady half.
    const points = curve((requests) => 4096 * requests, {
      from: 200,
      to: 15_000,
      chunk: 480,
      noise: 150_000,
    });
    expect(firstWarm(points)).toBeNull();
  });

  it('asks a noisy heap to stay level for longer than a quiet one before ruling out the same drift', () => {
    const unbounded = Number.POSITIVE_INFINITY;
    const noisy = judgeDrift(
      curve(() => 0, { from: 200, to: 4000, chunk: 500, noise: 100_000 }),
      tolerance,
      unbounded,
    );
    const quiet = judgeDrift(
      curve(() => 0, { from: 200, to: 4000, chunk: 500, noise: 8_000 }),
      tolerance,
      unbounded,
    );
    expect(noisy.windowRequests).toBeGreaterThan(5 * (quiet.windowRequests ?? 0));
    expect(noisy.isWarm).toBe(false);
    const longer = curve(() => 0, { from: 200, to: 80_000, chunk: 1000, noise: 100_000 });
    expect(firstWarm(longer)).not.toBeNull();
  });

  it('keeps warming while a bounded cache fills, and ends once it is full', () => {
    // The engine benchmark's head: an 8,000-entry LRU at ~750 B/request, full after ~8,300 requests.
    const shape = (requests: number) => 750 * Math.min(requests, 8300);
    const points = curve(shape, { from: 200, to: 15_000, chunk: 480, noise: 8_000 });
    const warmAt = firstWarm(points);
    expect(warmAt).not.toBeNull();
    expect(warmAt).toBeGreaterThan(8300);
  });

  it('never calls a side that leaks more than the tolerance warm', () => {
    const points = curve((requests) => 16 * requests, { from: 200, to: 15_000, chunk: 480, noise: 8_000 });
    expect(firstWarm(points)).toBeNull();
  });

  it('judges nothing from fewer than four samples', () => {
    const judgement = judgeDrift(
      [
        { requests: 200, bytes: 1e7 },
        { requests: 700, bytes: 1e7 },
        { requests: 1200, bytes: 1e7 },
      ],
      tolerance,
      roundsRequests,
    );
    expect(judgement).toMatchObject({ isWarm: false, noiseBytes: null, driftBytes: null });
  });
});
