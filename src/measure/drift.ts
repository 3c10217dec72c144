// When a warm-up may end: the post-GC heap has stopped drifting, judged against the app's own scatter. A fixed
// band cannot do it: a plain server's samples scatter by ~10 KB, an app with TLS and agents by ±100 KB, so a
// band that fits one either never fires on the other or fires while it still rises by 100 B/request.
import { fitTheilSen, robustSd } from '../analysis/analysis.js';

/** z for a two-sided 95 % band. */
const z95 = 1.959964;
/** Post-GC samples of an idle heap vary by 8–11 KB (sd) at least: a quieter estimate is luck, not a calm heap. */
export const minNoiseBytes = 4 * 1024;
/** The window is at least this many samples, so one lucky pair of samples cannot end a warm-up. */
export const minWindowSamples = 4;
/** Noise is estimated from the latest samples (the first ones of a warm-up jump by JIT compiles, not by noise). */
const noiseSamples = 24;

export interface DriftPoint {
  requests: number;
  bytes: number;
}

export interface DriftJudgement {
  /**
   * The heap moved by less than its own noise over a window long enough to resolve the tolerance, or, for a
   * noisy heap, as long as the rounds, which resolve no finer.
   */
  isWarm: boolean;
  /** Scatter (sd) of one sample, estimated from consecutive samples; null with too few samples. */
  noiseBytes: number | null;
  /** Movement the noise alone could give between two samples (95 %): the band drift is judged against. */
  bandBytes: number | null;
  /**
   * Requests the window must span so that drift within the band is under the tolerance per request, at most the
   * rounds' span.
   */
  windowRequests: number | null;
  /** Fitted movement over that window (slope × span), bytes; null until the history covers the window. */
  driftBytes: number | null;
}

/**
 * Noise of one sample from consecutive samples' second differences (y[i+1] − 2·y[i] + y[i−1]), which a steady
 * rise cancels and a kink (a cache that just filled) touches once, by the median absolute deviation (robustSd):
 * robust to the odd JIT or GC jump. Null with fewer samples than a window.
 */
export function sampleNoise(points: readonly DriftPoint[]): number | null {
  if (points.length < minWindowSamples) return null;
  const recent = points.slice(-noiseSamples);
  const bends = recent.slice(2).map((point, index) => {
    const [first, middle] = [recent[index]!, recent[index + 1]!];
    return point.bytes - 2 * middle.bytes + first.bytes;
  });
  // A second difference of independent samples scatters √6 times one.
  return Math.max(robustSd(bends) / Math.sqrt(6), minNoiseBytes);
}

/**
 * Whether a side is warm after `points` (its warm-up samples past the throughput probe, in order), given the
 * requests its rounds will span: over the last `band / tolerance` requests (at most the rounds' span, and at
 * least four samples) its fitted movement stays inside the band that two noisy samples span. So a noisy app
 * stays level longer than a quiet one before the same drift is ruled out, and a heap still rising by more than
 * `toleranceBytesPerRequest` never ends warm-up. A steadily rising heap is not warm either, although it may be a
 * leak in its steady state: it may as well be a cache still filling, and only a warm-up up to the ceiling keeps
 * the caches that fill within the planned load out of the rounds' steady half.
 */
export function judgeDrift(
  points: readonly DriftPoint[],
  toleranceBytesPerRequest: number,
  roundsRequests: number,
): DriftJudgement {
  const noiseBytes = sampleNoise(points);
  if (noiseBytes === null)
    return { isWarm: false, noiseBytes, bandBytes: null, windowRequests: null, driftBytes: null };
  const bandBytes = z95 * Math.SQRT2 * noiseBytes;
  // The rounds' own fits resolve no finer than the band over their span: asking the warm-up for more kept every
  // Next.js app (±150 KB) warming to its ceiling.
  const windowRequests = Math.min(Math.ceil(bandBytes / toleranceBytesPerRequest), roundsRequests);
  const last = points.at(-1)!;
  const start = points.findLastIndex((point) => last.requests - point.requests >= windowRequests);
  const window = points.slice(Math.min(start, points.length - minWindowSamples));
  const fit =
    start < 0
      ? null
      : fitTheilSen(
          window.map((point) => point.requests),
          window.map((point) => point.bytes),
        );
  const driftBytes = fit ? Math.abs(fit.slope) * (last.requests - window[0]!.requests) : null;
  return {
    isWarm: driftBytes !== null && driftBytes <= bandBytes,
    noiseBytes,
    bandBytes,
    windowRequests,
    driftBytes,
  };
}
