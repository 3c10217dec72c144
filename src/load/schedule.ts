// Sizes the load to a time budget: plain servers serve thousands of requests per second, Next.js pages doing
// on-demand rendering 25–45, so request counts alone give seconds for one app and many minutes for another.
import type { RunPlan, RunSchedule } from '../model/report.js';

/** The steady half needs at least four samples for a rank interval: eight rounds is the floor. */
export const minRounds = 8;
const minRequestsPerRound = 20;
/** Requests sent first to measure throughput before the rest of the warm-up is sized. */
export const throughputProbeRequests = 200;

/**
 * Shrinks warm-up and round sizes (never the number of rounds) so one side's load fits `plan.timeBudgetMs` at
 * the throughput seen during the first warm-up requests, capped by the scenario's request rate.
 */
export function fitScheduleToBudget(plan: RunPlan, measuredRequestsPerSecond: number): RunSchedule {
  const rounds = Math.max(plan.rounds, minRounds);
  const rate = plan.ratePerSecond
    ? Math.min(plan.ratePerSecond, measuredRequestsPerSecond)
    : measuredRequestsPerSecond;
  const budgetRequests = (rate * plan.timeBudgetMs) / 1000;
  const plannedRequests = plan.warmupRequests + rounds * plan.requestsPerRound;
  const scale = Math.min(1, budgetRequests / plannedRequests);
  return {
    warmupRequests: Math.round(plan.warmupRequests * scale),
    requestsPerRound: Math.max(minRequestsPerRound, Math.round(plan.requestsPerRound * scale)),
    roundsPlanned: rounds,
    roundsRun: 0,
    isStoppedEarly: false,
    warmupRequestsPerSecond: Number.isFinite(measuredRequestsPerSecond)
      ? Math.round(measuredRequestsPerSecond)
      : 0,
    isShrunkToBudget: scale < 1,
  };
}
