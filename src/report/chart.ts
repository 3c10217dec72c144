// The retained-memory chart: a mermaid `xychart-beta` block GitHub renders in the comment. Each line shows what
// its side retained above its own first measured sample, so warm-up (JIT, caches filling) is left out and the
// two slopes compare at a glance.

import type { MemorySample } from '../model/report.js';

const POINT_COUNT = 12;
const BASE_COLOR = '#2f81f7';
const HEAD_COLOR = '#e5534b';

export interface ChartSeries {
  /** Shared x categories: requests sent. */
  requestCounts: number[];
  /** MiB retained above the side's first measured sample. */
  baseMb: number[];
  headMb: number[];
}

function retainedBytes(sample: MemorySample): number {
  return sample.heapUsedBytes + sample.externalBytes;
}

function loadSamples(samples: MemorySample[]): MemorySample[] {
  // Warm-up is not fitted, and settle samples repeat a request count after idling: only measured ones are drawn.
  return samples
    .filter((sample) => sample.phase === 'measure')
    .sort((a, b) => a.requestsSent - b.requestsSent);
}

function interpolate(samples: MemorySample[], requestsSent: number): number {
  const first = samples[0];
  if (!first) return 0;
  if (requestsSent <= first.requestsSent) return retainedBytes(first);
  for (let index = 1; index < samples.length; index++) {
    const right = samples[index];
    const left = samples[index - 1];
    if (!right || !left || requestsSent > right.requestsSent) continue;
    const span = right.requestsSent - left.requestsSent;
    const fraction = span === 0 ? 1 : (requestsSent - left.requestsSent) / span;
    return retainedBytes(left) + fraction * (retainedBytes(right) - retainedBytes(left));
  }
  return retainedBytes(samples[samples.length - 1] ?? first);
}

/**
 * Resamples both sides onto the same request counts, because an xychart's lines share one categorical
 * x-axis. The range stops where the shorter side stopped (an OOM, a crash), so no line is extrapolated.
 */
export function resampleSides(baseSamples: MemorySample[], headSamples: MemorySample[]): ChartSeries | null {
  const base = loadSamples(baseSamples);
  const head = loadSamples(headSamples);
  if (base.length < 2 || head.length < 2) return null;
  const start = Math.max(base[0]?.requestsSent ?? 0, head[0]?.requestsSent ?? 0);
  const end = Math.min(base[base.length - 1]?.requestsSent ?? 0, head[head.length - 1]?.requestsSent ?? 0);
  if (end <= start) return null;
  const requestCounts = Array.from({ length: POINT_COUNT }, (_, index) =>
    Math.round(start + ((end - start) * index) / (POINT_COUNT - 1)),
  );
  const aboveFirst = (samples: MemorySample[], count: number) =>
    Number(((interpolate(samples, count) - retainedBytes(samples[0] as MemorySample)) / 2 ** 20).toFixed(2));
  return {
    requestCounts,
    baseMb: requestCounts.map((count) => aboveFirst(base, count)),
    headMb: requestCounts.map((count) => aboveFirst(head, count)),
  };
}

function requestLabel(count: number): string {
  if (count >= 1_000_000) return `${Number((count / 1_000_000).toFixed(1))}M`;
  if (count >= 1000) return `${Number((count / 1000).toFixed(1))}k`;
  return String(count);
}

/** The fenced mermaid block, or null when either side has too few samples to draw. Numbers only: no untrusted text. */
export function renderMemoryChart(baseSamples: MemorySample[], headSamples: MemorySample[]): string | null {
  const series = resampleSides(baseSamples, headSamples);
  if (!series) return null;
  const allMb = [...series.baseMb, ...series.headMb];
  const lowMb = Math.floor(Math.min(...allMb));
  const highMb = Math.max(lowMb + 1, Math.ceil(Math.max(...allMb)));
  return [
    '```mermaid',
    '---',
    'config:',
    '  themeVariables:',
    '    xyChart:',
    `      plotColorPalette: "${BASE_COLOR}, ${HEAD_COLOR}"`,
    '---',
    'xychart-beta',
    '  title "Heap + external above the first measured sample: blue base, red head"',
    `  x-axis "requests sent (warm-up excluded)" [${series.requestCounts.map((count) => `"${requestLabel(count)}"`).join(', ')}]`,
    `  y-axis "MiB" ${lowMb} --> ${highMb}`,
    `  line [${series.baseMb.join(', ')}]`,
    `  line [${series.headMb.join(', ')}]`,
    '```',
  ].join('\n');
}
