// The settled growth's uncertainty comes from the settle phases' own idle samples, not from the scatter under
// load. Pure: hand-made samples shaped like a real time-held run (the 60 s fixture at 5 requests/s, 2026-12-01:
// held memory ramps 11 → 89 MB under load, each settle's last two samples agree within 0-1 KB).
import { describe, expect, it } from 'vitest';
import { fitMetrics } from '../../src/analysis/analysis.js';
import { compareSides } from '../../src/analysis/rules.js';
import type { MemorySample, SideResult } from '../../src/model/report.js';

const KB = 1024;
const MB = 2 ** 20;

function sample(phase: MemorySample['phase'], requestsSent: number, heapBytes: number): MemorySample {
  return {
    requestsSent,
    requestsSeen: requestsSent,
    elapsedMs: requestsSent * 200,
    phase,
    heapUsedBytes: heapBytes,
    externalBytes: 0,
    arrayBuffersBytes: 0,
    rssBytes: heapBytes * 2,
    v8UsedHeapBytes: heapBytes,
    activeResources: { TCPServerWrap: 1 },
    processCount: 1,
  };
}

interface Shape {
  /** Bytes each request keeps for good (a leak). */
  keptPerRequest?: number;
  /** The idle samples before each settle sample (the settle sample last), as offsets from the settled level. */
  beforeIdle?: number[];
  afterIdle?: number[];
}

/**
 * Watch after 200 requests (held memory drains, then two samples agree), 20 rounds of 20 requests while held
 * memory fills by 5.8 MB a round until the first requests' timers fire, then a settle after 600 requests.
 */
function timeHeldSide(label: 'base' | 'head', shape: Shape = {}): SideResult {
  const kept = shape.keptPerRequest ?? 0;
  const level = 5.6 * MB;
  const samples: MemorySample[] = [sample('warmup', 0, 5.5 * MB), sample('warmup', 200, 65 * MB)];
  const idle = (requests: number, offsets: number[]) => {
    for (const [i, offset] of offsets.entries()) {
      const phase = i === offsets.length - 1 ? 'settle' : 'idle';
      samples.push(sample(phase, requests, level + kept * requests + offset));
    }
  };
  idle(200, shape.beforeIdle ?? [59 * MB, 58 * MB, 1 * KB, 0]);
  for (let round = 1; round <= 20; round++) {
    const requests = 200 + round * 20;
    const held = Math.min(round, 14) * 5.8 * MB + ((round * 7919) % 13) * 100 * KB;
    samples.push(sample('measure', requests, level + held + kept * requests));
  }
  idle(600, shape.afterIdle ?? [17 * KB, 0, 0]);
  return {
    label,
    appDir: '/app',
    samples,
    fits: fitMetrics(samples, 8),
    verdict: 'flat',
    exit: null,
    load: { requests: 600, durationMs: 1, requestsPerSecond: 5, latencyP50Ms: 1, latencyP99Ms: 1 },
  };
}

const uncertainty = (side: SideResult) =>
  side.fits.find((fit) => fit.metric === 'heapPlusExternal')?.retainedAfterSettleUncertainty ?? null;
const cap = 256 * MB;

describe('settled growth uncertainty from the settle phases own samples', () => {
  it('is as sharp as the settled samples agree, not as wide as the held memory scatters under load', () => {
    const side = timeHeldSide('base');
    // 1.96 × hypot(11 KB, 11 KB) over 400 requests: the idle floor on both settle samples, ~78 B/request.
    expect(uncertainty(side)).toBeCloseTo((1.959964 * Math.hypot(11 * KB, 11 * KB)) / 400, 3);
    // The scatter under load (MBs) gave ~14 KB/request, which read this no-change comparison inconclusive.
    const comparison = compareSides(timeHeldSide('base'), timeHeldSide('head'), 8, cap);
    expect(comparison.verdict, JSON.stringify(comparison.finding)).toBe('unchanged');
  });

  it('still shows a head that keeps 300 KB per request through the settle, and a small kept leak', () => {
    const leak = compareSides(
      timeHeldSide('base'),
      timeHeldSide('head', { keptPerRequest: 300_000 }),
      8,
      cap,
    );
    expect(leak.verdict).toBe('regression');
    expect(leak.finding.rule).toBe('kept-after-settling');
    // 400 B/request kept is 160 KB over the rounds, beyond the settled noise though invisible under load: never a
    // pass. (Not a regression either here: held memory levelling off in the second half reads as a filled cache.)
    const small = compareSides(timeHeldSide('base'), timeHeldSide('head', { keptPerRequest: 400 }), 8, cap);
    expect(small.verdict, JSON.stringify(small.finding)).not.toBe('unchanged');
  });

  it('widens with a settled pair that disagrees more, and never reads sharper than the idle floor', () => {
    // The first sample after a long idle may still be falling (17-26 KB above the next, on both sides): the
    // settled pair sets the noise.
    const spread = timeHeldSide('base', { afterIdle: [90 * KB, 40 * KB, 0] });
    expect(uncertainty(spread)).toBeCloseTo((1.959964 * Math.hypot(11 * KB, (40 * KB) / 1.128)) / 400, 3);
    const identical = timeHeldSide('base', { beforeIdle: [0, 0], afterIdle: [0, 0, 0] });
    expect(uncertainty(identical)).toBeCloseTo(uncertainty(timeHeldSide('base')) ?? 0, 6);
  });

  it('keeps the 512 KB floor for a settle of one sample, and takes the gap of a pair that never agreed', () => {
    const single = timeHeldSide('base', { afterIdle: [0] });
    expect(uncertainty(single)).toBeGreaterThan((512 * KB) / 400 / Math.SQRT2);
    const falling = timeHeldSide('base', { afterIdle: [900 * KB, 300 * KB] });
    expect(uncertainty(falling)).toBeGreaterThan((1.959964 * 300 * KB) / 400);
    // Such a settle cannot pass a null that the held memory blurs under load.
    const comparison = compareSides(timeHeldSide('base'), single, 8, cap);
    expect(comparison.verdict).toBe('inconclusive');
  });
});
