// When a warm-up may end: the post-GC heap has stopped drifting, judged against the app's own scatter, or it
// rises at one steady pace (a leak). A fixed band cannot do it: a plain server's samples scatter by ~10 KB, an
// app with TLS and agents by ±100 KB, so a band that fits one either never fires on the other or fires while it
// still rises by 100 B/request.
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
   * `level`: the heap moved by less than its own noise over a window long enough to resolve the tolerance (or,
   * for a noisy heap, as long as the rounds, which resolve no finer). `rising`: it has risen at one pace, well
   * above the tolerance, for as many requests as the rounds will send: a steady state (a leak) that more warm-up
   * would not end. Null: still warming.
   */
  state: 'level' | 'rising' | null;
  /** Scatter (sd) of one sample, estimated from consecutive samples; null with too few samples. */
  noiseBytes: number | null;
  /** Movement the noise alone could give between two samples (95 %): the band drift is judged against. */
  bandBytes: number | null;
  /** Requests the window must span so that drift within the band is under the tolerance per request. */
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
 * requests its rounds will span. Level: over the last `band / tolerance` requests (at most the rounds' span, and
 * at least four samples) its fitted movement stays inside the band that two noisy samples span, so a noisy app
 * stays level longer than a quiet one before the same drift is ruled out, and a heap still rising by more than
 * `toleranceBytesPerRequest` is not level. Rising: see `isRisingSteadily`.
 */
export function judgeDrift(
  points: readonly DriftPoint[],
  toleranceBytesPerRequest: number,
  roundsRequests: number,
): DriftJudgement {
  const noiseBytes = sampleNoise(points);
  if (noiseBytes === null)
    return { state: null, noiseBytes, bandBytes: null, windowRequests: null, driftBytes: null };
  const bandBytes = z95 * Math.SQRT2 * noiseBytes;
  // The rounds' own fits resolve no finer than the band over their span: asking the warm-up for more kept every
  // Next.js app (±150 KB) warming to its ceiling.
  const windowRequests = Math.min(Math.ceil(bandBytes / toleranceBytesPerRequest), roundsRequests);
  const fit = fitWindow(points, windowRequests);
  const driftBytes = fit ? Math.abs(fit.slope) * fit.spanRequests : null;
  const isLevel = driftBytes !== null && driftBytes <= bandBytes;
  const state = isLevel
    ? 'level'
    : isRisingSteadily(points, toleranceBytesPerRequest, roundsRequests)
      ? 'rising'
      : null;
  return { state, noiseBytes, bandBytes, windowRequests, driftBytes };
}

/** The Theil–Sen fit over the latest `requests` (at least four samples); null until the history spans them. */
function fitWindow(points: readonly DriftPoint[], requests: number) {
  const last = points.at(-1);
  if (!last) return null;
  const start = points.findLastIndex((point) => last.requests - point.requests >= requests);
  if (start < 0) return null;
  const window = points.slice(Math.min(start, points.length - minWindowSamples));
  const fit = fitTheilSen(
    window.map((point) => point.requests),
    window.map((point) => point.bytes),
  );
  return fit ? { ...fit, spanRequests: last.requests - window[0]!.requests } : null;
}

/**
 * A heap that has risen clearly above the tolerance over the rounds' whole span, and in its latest quarter still
 * at least half as fast: a leak in its steady state. A cache that filled inside the window fails the second
 * test (its latest quarter is flat), so it warms on until it is level, as does any rise too noisy to tell.
 */
function isRisingSteadily(
  points: readonly DriftPoint[],
  toleranceBytesPerRequest: number,
  roundsRequests: number,
): boolean {
  const whole = fitWindow(points, roundsRequests);
  const latest = fitWindow(points, roundsRequests / 4);
  if (!whole || !latest) return false;
  return whole.low > toleranceBytesPerRequest && latest.low >= whole.slope / 2;
}
