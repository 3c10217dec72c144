// What the measurement knows so far, between rounds: the comparison as it stands, whether it is already beyond
// doubt (stop early), and whether a survivor of a death is still needed.
import { isDecelerating, primaryFit } from '../analysis/analysis.js';
import { isDeath } from '../analysis/deaths.js';
import { compareSides } from '../analysis/rules.js';
import type { Comparison, RunPlan } from '../model/report.js';
import { isRunning, type MeasureRun, retireSide, type SideState, toResult } from './side.js';

/** Once one side died and the verdict no longer depends on the other (see the death rules in analysis/deaths.ts), the other stops. */
export async function retireSurvivor(states: SideState[], run: MeasureRun): Promise<void> {
  const [base, head] = states;
  if (states.length !== 2 || !base || !head) return;
  const dead = [base, head].find((state) => isDeath(state.app?.exit ?? null));
  const alive = [base, head].find(isRunning);
  if (!dead || !alive) return;
  const verdict = currentComparison(states, run.plan, false)?.verdict;
  if (verdict === 'regression' || verdict === 'improvement') {
    await retireSide(
      alive,
      run,
      `it served clearly more than ${dead.target.label} did before dying, without nearing its cap`,
    );
  }
}

export function currentComparison(states: SideState[], plan: RunPlan, isFinal = true): Comparison | null {
  const [base, head] = states;
  if (states.length !== 2 || !base || !head) return null;
  return compareSides(
    toResult(base, plan.thresholdBytesPerRequest),
    toResult(head, plan.thresholdBytesPerRequest),
    plan.thresholdBytesPerRequest,
    plan.heapCapMb * 2 ** 20,
    isFinal,
  );
}

/** Two sides whose comparison is already beyond doubt: the delta clears the threshold by its whole uncertainty. */
export function isVerdictClear(states: SideState[], thresholdBytesPerRequest: number): boolean {
  const [base, head] = states;
  if (states.length !== 2 || !base || !head || !states.every(isRunning)) return false;
  const sides = [toResult(base, thresholdBytesPerRequest), toResult(head, thresholdBytesPerRequest)] as const;
  // A cache still filling looks like a leak until it is full: never stop early while growth is slowing.
  const isSlowing = sides.some((side) => {
    const fit = primaryFit(side);
    return fit !== undefined && isDecelerating(fit, thresholdBytesPerRequest);
  });
  if (isSlowing) return false;
  const { deltaBytesPerRequest: delta, deltaUncertainty: uncertainty } = compareSides(
    ...sides,
    thresholdBytesPerRequest,
  );
  if (delta === null || uncertainty === null) return false;
  return Math.abs(delta) - uncertainty > thresholdBytesPerRequest;
}
