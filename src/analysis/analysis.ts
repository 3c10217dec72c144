// Pure statistics: memory-vs-requests slopes and per-side verdicts (rules.ts compares the two sides).
import type {
  AppExit,
  MemorySample,
  MetricFit,
  MetricName,
  SideResult,
  SideVerdict,
  SlopeFit,
} from '../model/report.js';

/** z for a two-sided 95 % interval. */
const z95 = 1.959964;
/** Fewer points than this give no usable rank interval. */
const minPointsForFit = 4;
/** One leaked handle per this many requests counts as a handle leak. */
const resourcesThresholdPerRequest = 1 / 1000;
/**
 * A side alone is called leaking only well above the comparison threshold: healthy servers drift by a few B/req
 * for thousands of requests after warm-up, and that drift is the same at base and head, so the comparison (which
 * subtracts it) can use the finer threshold.
 */
export const sideLeakFactor = 4;
/** RSS without a GC of its own is far noisier than the post-GC heap: it needs a much larger slope to count. */
const rssThresholdFactor = 64;

export const metricValue: Record<MetricName, (sample: MemorySample) => number> = {
  heapPlusExternal: (sample) => sample.heapUsedBytes + sample.externalBytes,
  arrayBuffers: (sample) => sample.arrayBuffersBytes,
  rss: (sample) => sample.rssBytes,
  activeResources: (sample) => Object.values(sample.activeResources).reduce((sum, count) => sum + count, 0),
  openFds: (sample) => sample.openFds ?? 0,
};

export const metricNames = Object.keys(metricValue) as MetricName[];

/**
 * Theil–Sen slope (median of pairwise slopes) with Sen's rank-based confidence interval: robust to the odd noisy
 * sample, and it separates small leaks with about half the requests least squares needs.
 */
export function fitTheilSen(xs: readonly number[], ys: readonly number[]): SlopeFit | null {
  const n = xs.length;
  if (n < minPointsForFit) return null;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes.push((ys[j]! - ys[i]!) / dx);
    }
  }
  if (slopes.length === 0) return null;
  slopes.sort((a, b) => a - b);
  const count = slopes.length;
  const rankSpread = z95 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lowIndex = Math.max(0, Math.floor((count - rankSpread) / 2));
  const highIndex = Math.min(count - 1, Math.ceil((count + rankSpread) / 2));
  return { slope: median(slopes), low: slopes[lowIndex]!, high: slopes[highIndex]!, points: n };
}

/** A normal sd estimated as 1.4826 × the median absolute deviation: robust to the odd outlier. */
export function robustSd(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const center = median(sorted);
  return 1.4826 * median(sorted.map((value) => Math.abs(value - center)).sort((a, b) => a - b));
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function fitSamples(samples: readonly MemorySample[], metric: MetricName): SlopeFit | null {
  const value = metricValue[metric];
  return fitTheilSen(
    samples.map((sample) => sample.requestsSent),
    samples.map(value),
  );
}

/**
 * Fits every metric over the measured samples. The verdict is judged on the last half (the steady segment), so a
 * bounded cache that fills early and then plateaus is not called a leak.
 */
export function fitMetrics(samples: readonly MemorySample[], thresholdBytesPerRequest: number): MetricFit[] {
  const measured = samples.filter((sample) => sample.phase === 'measure');
  const settled = samples.filter((sample) => sample.phase === 'settle');
  const half = Math.floor(measured.length / 2);
  const hasHalves = measured.length - half >= minPointsForFit;
  return metricNames.map((metric) => {
    const whole = fitSamples(measured, metric);
    // Both halves share the middle sample, so each is a contiguous run of the curve.
    const early = hasHalves ? fitSamples(measured.slice(0, half + 1), metric) : null;
    const steady = hasHalves ? fitSamples(measured.slice(half), metric) : whole;
    const threshold =
      metric === 'activeResources' || metric === 'openFds'
        ? resourcesThresholdPerRequest
        : metric === 'rss'
          ? thresholdBytesPerRequest * rssThresholdFactor
          : thresholdBytesPerRequest * sideLeakFactor;
    const retainedAfterSettle = retainedPerRequest(settled[0], settled.at(-1), metricValue[metric]);
    const retainedAfterSettleUncertainty =
      retainedAfterSettle === null ? null : settleUncertainty(samples, metric, whole);
    return {
      metric,
      whole,
      early,
      steady,
      retainedAfterSettle,
      retainedAfterSettleUncertainty,
      verdict: classify({ early, steady, retainedAfterSettle, retainedAfterSettleUncertainty }, threshold),
    };
  });
}

/**
 * Half-width (95 %) of the settled growth per request: two settle samples apart, each as far off as its own settle
 * phase's last forced-GC samples disagree. Once memory stopped falling, consecutive idle samples agree within a
 * few KB; the scatter under load says nothing about them, and time-held memory filling and draining inflates it
 * ~200-fold (the 60 s fixture: ~2 MB sd under load, 0-1 KB between each settle's last two samples), which read a
 * no-change comparison inconclusive in 9 of 10 runs. RSS and counts have no forced-GC still point and keep the scatter
 * under load.
 */
function settleUncertainty(
  samples: readonly MemorySample[],
  metric: MetricName,
  fit: SlopeFit | null,
): number | null {
  const settled = samples.filter((sample) => sample.phase === 'settle');
  const [before, after] = [settled[0], settled.at(-1)];
  if (!fit || !before || !after || after.requestsSent <= before.requestsSent) return null;
  const requests = after.requestsSent - before.requestsSent;
  const value = metricValue[metric];
  if (!isPostGcMetric(metric)) return loadScatterUncertainty(samples, fit, value) / requests;
  const sds = [before, after].map((sample) => stillSampleSd(samples, sample, value));
  return (z95 * Math.hypot(...sds)) / requests;
}

const isPostGcMetric = (metric: MetricName) => metric === 'heapPlusExternal' || metric === 'arrayBuffers';

/**
 * Two post-GC samples of an idle heap differ by 8-11 KB (sd) at most in the runs measured: a settle sample is
 * never taken as sharper than the top of that range, however well its last samples happen to agree.
 */
const idleSampleSdBytes = 11 * 1024;
/**
 * How far a settle sample may be off: how far it and the sample before it in the same idle phase disagree (the
 * pair every settle and hold watch ends on once memory stopped falling), as a standard deviation (the difference
 * of two is 1.128 sd on average), and never less than the idle floor. An earlier sample of the phase may still be
 * falling: the first forced GC after a long idle frees 17-26 KB less than the next on the 60 s fixture, on both
 * sides alike, and that is the fall ending, not the settled sample's noise. A phase of one sample has shown no
 * still point and keeps the 512 KB floor.
 */
function stillSampleSd(
  samples: readonly MemorySample[],
  settleSample: MemorySample,
  value: (sample: MemorySample) => number,
): number {
  const previous = samples[samples.indexOf(settleSample) - 1];
  if (previous?.phase !== 'idle') return settleNoiseFloorBytes / (z95 * Math.SQRT2);
  return Math.max(Math.abs(value(settleSample) - value(previous)) / 1.128, idleSampleSdBytes);
}

/**
 * The settled samples' noise taken as the measured samples' scatter around their fitted line (median absolute
 * deviation, robust to the odd outlier), for metrics without a forced-GC still point; floored.
 */
function loadScatterUncertainty(
  samples: readonly MemorySample[],
  fit: SlopeFit,
  value: (sample: MemorySample) => number,
): number {
  const measured = samples.filter((sample) => sample.phase === 'measure');
  const sampleSd = robustSd(measured.map((sample) => value(sample) - fit.slope * sample.requestsSent));
  return Math.max(z95 * Math.SQRT2 * sampleSd, settleNoiseFloorBytes);
}

/** Growth between the settle sample before the rounds and the one after, per request sent in between. */
function retainedPerRequest(
  before: MemorySample | undefined,
  after: MemorySample | undefined,
  value: (sample: MemorySample) => number,
): number | null {
  if (!before || !after || after.requestsSent <= before.requestsSent) return null;
  return (value(after) - value(before)) / (after.requestsSent - before.requestsSent);
}

/**
 * Settled memory carries a small bias of its own (a plain server keeps some tens of B/req between two settle
 * samples), so growth counts as given back when at most this share of the slope under load survived settling.
 */
export const survivingShareOfLeak = 0.1;
/**
 * Settled growth below this cannot be told from noise when the settle showed no still point (one sample), or for
 * a metric without one: code and feedback caches the collector keeps or drops move a heap by up to a few hundred KB.
 */
const settleNoiseFloorBytes = 512 * 1024;

export function survivesSettle(retained: number | null, slopeUnderLoad: number, threshold: number): boolean {
  return retained === null || retained > Math.max(threshold, survivingShareOfLeak * slopeUnderLoad);
}

function classify(
  fit: Pick<MetricFit, 'early' | 'steady' | 'retainedAfterSettle' | 'retainedAfterSettleUncertainty'>,
  threshold: number,
): MetricFit['verdict'] {
  const { early, steady, retainedAfterSettle, retainedAfterSettleUncertainty } = fit;
  if (!steady) return null;
  // Growth under load that the settle pause gave back was held by timers, not leaked; settling can only tell
  // that about growth larger than its own uncertainty.
  const isGivenBack = (slope: number) =>
    slope > (retainedAfterSettleUncertainty ?? Number.POSITIVE_INFINITY) &&
    !survivesSettle(retainedAfterSettle, slope, threshold);
  if (steady.low > threshold) return isGivenBack(steady.slope) ? 'transient' : 'leak';
  if (early && early.low > threshold) return isGivenBack(early.slope) ? 'transient' : 'plateau';
  return 'flat';
}

/**
 * Growth that clearly slows from the first half to the second, like a cache filling up: settled memory then
 * includes the fill, and a short run must not stop early on it.
 */
export function isDecelerating(fit: MetricFit, thresholdBytesPerRequest: number): boolean {
  const { early, steady } = fit;
  if (!early || !steady) return false;
  return early.low > thresholdBytesPerRequest * sideLeakFactor && steady.high < early.slope / 2;
}

export function primaryFit(side: Pick<SideResult, 'fits'>): MetricFit | undefined {
  return side.fits.find((fit) => fit.metric === 'heapPlusExternal');
}

/** A side's verdict: how it ended first, then its primary metric. */
export function sideVerdict(fits: MetricFit[], exit: AppExit | null): SideVerdict {
  if (exit?.kind === 'crash') return 'error';
  if (exit) return 'crashed';
  return primaryFit({ fits })?.verdict ?? 'error';
}
