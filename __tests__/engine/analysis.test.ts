import { describe, expect, it } from 'vitest';
import { fitMetrics, fitTheilSen } from '../../src/analysis/analysis.js';
import { compareSides } from '../../src/analysis/rules.js';
import type { MemorySample, SideResult } from '../../src/model/report.js';

function sample(requestsSent: number, heapBytes: number): MemorySample {
  return {
    requestsSent,
    requestsSeen: requestsSent,
    elapsedMs: requestsSent,
    phase: 'measure',
    heapUsedBytes: heapBytes,
    externalBytes: 0,
    arrayBuffersBytes: 0,
    rssBytes: heapBytes * 2,
    v8UsedHeapBytes: heapBytes,
    activeResources: { TCPServerWrap: 1 },
    processCount: 1,
  };
}

/** Deterministic pseudo-noise in [-amplitude, amplitude]. */
function noise(i: number, amplitude: number): number {
  return (((i * 7919) % 101) / 50 - 1) * amplitude;
}

function side(label: 'base' | 'head', bytesPerRequest: (requests: number) => number): SideResult {
  const samples = Array.from({ length: 20 }, (_, i) => {
    const requests = 5000 + i * 500;
    return sample(requests, 30e6 + bytesPerRequest(requests) + noise(i, 10_000));
  });
  return {
    label,
    appDir: '/app',
    samples,
    fits: fitMetrics(samples, 8),
    verdict: 'flat',
    exit: null,
    load: {
      requests: 15000,
      durationMs: 1,
      requestsPerSecond: 1,
      latencyP50Ms: 1,
      latencyP99Ms: 1,
    },
  };
}

describe('fitTheilSen', () => {
  it('recovers an exact slope and brackets it', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7];
    const fit = fitTheilSen(
      xs,
      xs.map((x) => 3 * x + 10),
    );
    expect(fit).toMatchObject({ slope: 3, low: 3, high: 3, points: 8 });
  });

  it('ignores one wild outlier', () => {
    const xs = Array.from({ length: 12 }, (_, i) => i * 100);
    const ys = xs.map((x) => 2 * x);
    ys[5] = 1e9;
    expect(fitTheilSen(xs, ys)?.slope).toBeCloseTo(2, 6);
  });

  it('needs at least four points', () => {
    expect(fitTheilSen([1, 2, 3], [1, 2, 3])).toBeNull();
  });
});

describe('fitMetrics and compareSides', () => {
  it('calls a steady 64 B/req growth a leak and a regression against a flat base', () => {
    const base = side('base', () => 0);
    const head = side('head', (requests) => 64 * requests);
    const headFit = head.fits.find((fit) => fit.metric === 'heapPlusExternal');
    expect(headFit?.verdict).toBe('leak');
    expect(headFit?.steady?.slope).toBeGreaterThan(50);
    const comparison = compareSides(base, head, 8);
    expect(comparison.verdict).toBe('regression');
    expect(comparison.deltaBytesPerRequest).toBeGreaterThan(50);
  });

  it('calls a cache that fills in the first half and stays full a plateau, not a regression', () => {
    const cache = (requests: number) => Math.min(requests - 5000, 4000) * 200;
    const head = side('head', cache);
    expect(head.fits.find((fit) => fit.metric === 'heapPlusExternal')?.verdict).toBe('plateau');
    expect(
      compareSides(
        side('base', () => 0),
        head,
        8,
      ).verdict,
    ).toBe('unchanged');
  });

  it('reports a leak present on both sides as pre-existing', () => {
    const leak = (requests: number) => 500 * requests;
    expect(compareSides(side('base', leak), side('head', leak), 8).verdict).toBe('pre-existing');
  });

  it('reports less growth at head as an improvement', () => {
    expect(
      compareSides(
        side('base', (r) => 300 * r),
        side('head', () => 0),
        8,
      ).verdict,
    ).toBe('improvement');
  });

  it('treats a head OOM as a regression and a crash as an error, never a pass', () => {
    const base = side('base', () => 0);
    const oom = {
      ...side('head', () => 0),
      exit: { kind: 'oom' as const, requestsSent: 1200, elapsedMs: 1, logTail: '' },
    };
    expect(compareSides(base, oom, 8).verdict).toBe('regression');
    const crash = {
      ...side('head', () => 0),
      exit: { kind: 'crash' as const, code: 1, signal: null, requestsSent: 10, logTail: 'boom' },
    };
    expect(compareSides(base, crash, 8).verdict).toBe('error');
    const unmeasured = {
      ...side('head', () => 0),
      error: { code: 'START_FAILED' as const, message: 'exited' },
    };
    expect(compareSides(base, unmeasured, 8).verdict).toBe('error');
  });
});
