// Deaths are results: a side that ran out of heap, passed the RSS watchdog or exhausted its file descriptors is
// compared by how far it got and how fast it grew before, never waved through as "both died".
import type { AppExit, DeathFacts, MemorySample, SideResult } from '../model/report.js';
import { fitTheilSen, metricValue } from './analysis.js';
import type { VerdictRule } from './verdict-rule.js';

/** One side dying at fewer than this share of the other's requests died clearly sooner. */
const soonerShare = 0.75;
/** A slope this many times the other's, with disjoint intervals, grew clearly faster. */
const fasterFactor = 1.25;
/** A survivor whose post-GC heap stayed below this share of its cap was not on its way to dying too. */
const survivorHeadroomShare = 0.5;

export const isDeath = (exit: AppExit | null): boolean =>
  exit?.kind === 'oom' || exit?.kind === 'watchdog' || exit?.kind === 'exhausted';

/** The samples a death is judged on: under load, before the death (idle and settle samples say nothing of it). */
function loadSamples(samples: readonly MemorySample[]): MemorySample[] {
  return samples.filter((sample) => sample.phase !== 'idle' && sample.phase !== 'settle');
}

export function deathFacts(side: SideResult): DeathFacts {
  const samples = loadSamples(side.samples);
  const xs = samples.map((sample) => sample.requestsSent);
  // A fast death leaves few samples: below the four a rank interval needs, the endpoints give the slope.
  const slopeOf = (value: (sample: MemorySample) => number) => {
    const fit = fitTheilSen(xs, samples.map(value));
    if (fit) return fit.slope;
    const [first, last] = [samples[0], samples.at(-1)];
    if (!first || !last || last.requestsSent <= first.requestsSent) return null;
    return (value(last) - value(first)) / (last.requestsSent - first.requestsSent);
  };
  const last = side.samples.at(-1);
  return {
    isDead: isDeath(side.exit),
    requestsSent: side.exit?.requestsSent ?? last?.requestsSent ?? 0,
    elapsedMs: (side.exit && 'elapsedMs' in side.exit ? side.exit.elapsedMs : last?.elapsedMs) ?? 0,
    slopeBytesPerRequest: slopeOf(metricValue.heapPlusExternal),
    fdsPerRequest: samples.every((sample) => typeof sample.openFds === 'number')
      ? slopeOf(metricValue.openFds)
      : null,
    handlesPerRequest: slopeOf(metricValue.activeResources),
  };
}

/** Exactly one side died: head dying is a regression once the survivor was clearly alive, base dying an improvement. */
export const oneSideDied: VerdictRule = {
  id: 'one-side-died',
  decide: ({ base, head, heapCapBytes, isFinal }) => {
    const [baseFacts, headFacts] = [deathFacts(base), deathFacts(head)];
    if (baseFacts.isDead === headFacts.isDead) return null;
    const [dead, alive] = headFacts.isDead ? [headFacts, baseFacts] : [baseFacts, headFacts];
    const survivor = headFacts.isDead ? base : head;
    const isSurvivorClear =
      isFarFromCap(survivor, alive, heapCapBytes) &&
      (isFinal || alive.requestsSent * soonerShare >= dead.requestsSent);
    const died = headFacts.isDead ? 'head' : 'base';
    const verdict = !isSurvivorClear ? 'inconclusive' : died === 'head' ? 'regression' : 'improvement';
    return { verdict, finding: { rule: 'one-side-died', died, isSurvivorClear } };
  },
};

/**
 * Both sides died: head dying clearly sooner or growing clearly faster is a regression, the same death (or a
 * later one) is pre-existing, and mixed evidence is inconclusive.
 */
export const bothDied: VerdictRule = {
  id: 'both-died',
  decide: ({ base, head }) => {
    const [baseFacts, headFacts] = [deathFacts(base), deathFacts(head)];
    if (!baseFacts.isDead || !headFacts.isDead) return null;
    const sooner = (a: DeathFacts, b: DeathFacts) => a.requestsSent < soonerShare * b.requestsSent;
    // Growth is compared on what killed them: the heap for OOM and watchdog deaths, descriptors for exhaustion.
    const growthOf = growthMetric(base.exit, head.exit);
    const faster = (a: DeathFacts, b: DeathFacts) => {
      const [grownA, grownB] = [growthOf(a), growthOf(b)];
      return grownA !== null && grownB !== null && grownA > fasterFactor * Math.max(grownB, 0);
    };
    const isHeadWorse = sooner(headFacts, baseFacts) || faster(headFacts, baseFacts);
    const isHeadBetter = sooner(baseFacts, headFacts) || faster(baseFacts, headFacts);
    // Head no worse (the same death, or a later one): the leak that kills it exists at base.
    const verdict = !isHeadWorse ? 'pre-existing' : isHeadBetter ? 'inconclusive' : 'regression';
    return { verdict, finding: { rule: 'both-died', isHeadWorse, isHeadBetter } };
  },
};

function growthMetric(
  baseExit: AppExit | null,
  headExit: AppExit | null,
): (facts: DeathFacts) => number | null {
  const kinds = new Set([baseExit?.kind, headExit?.kind]);
  if (kinds.size === 1 && kinds.has('exhausted'))
    return (facts) => facts.fdsPerRequest ?? facts.handlesPerRequest;
  if (kinds.has('exhausted')) return () => null;
  return (facts) => facts.slopeBytesPerRequest;
}

/**
 * Below half its cap, or so slow to grow that filling the rest would take more requests than it served so far:
 * an app's own baseline can fill half of a small cap (16 MB) without any leak.
 */
function isFarFromCap(survivor: SideResult, facts: DeathFacts, heapCapBytes: number): boolean {
  const heap = lastHeapBytes(survivor);
  if (heap < survivorHeadroomShare * heapCapBytes) return true;
  const slope = facts.slopeBytesPerRequest;
  if (slope === null || heap >= heapCapBytes) return false;
  return slope <= 0 || (heapCapBytes - heap) / slope >= facts.requestsSent;
}

function lastHeapBytes(side: SideResult): number {
  const last = side.samples.at(-1);
  return last ? metricValue.heapPlusExternal(last) : 0;
}
