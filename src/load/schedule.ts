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
 * the throughput seen during the first warm-up requests, capped by the scenario's request rate. The rounds
 * shrink first, and the warm-up keeps up to half the budget: an app measured before its JIT and client code have
 * settled shows that settling as growth on both sides, a bias that no interval covers (a null comparison read
 * `pre-existing`), while smaller rounds are only noisier, which the interval does cover.
 */
export function fitScheduleToBudget(plan: RunPlan, measuredRequestsPerSecond: number): RunSchedule {
  const rounds = Math.max(plan.rounds, minRounds);
  const rate = plan.ratePerSecond
    ? Math.min(plan.ratePerSecond, measuredRequestsPerSecond)
    : measuredRequestsPerSecond;
  const budgetRequests = (rate * plan.timeBudgetMs) / 1000;
  const roundRequests = rounds * plan.requestsPerRound;
  const isShrunk = plan.warmupRequests + roundRequests > budgetRequests;
  const warmupRequests = isShrunk
    ? Math.min(plan.warmupRequests, Math.max(budgetRequests / 2, budgetRequests - roundRequests))
    : plan.warmupRequests;
  const requestsPerRound = isShrunk
    ? Math.min(plan.requestsPerRound, (budgetRequests - warmupRequests) / rounds)
    : plan.requestsPerRound;
  return {
    warmupRequests: Math.round(warmupRequests),
    requestsPerRound: Math.max(minRequestsPerRound, Math.round(requestsPerRound)),
    roundsPlanned: rounds,
    roundsRun: 0,
    isStoppedEarly: false,
    warmupRequestsPerSecond: Number.isFinite(measuredRequestsPerSecond)
      ? Math.round(measuredRequestsPerSecond)
      : 0,
    isShrunkToBudget: isShrunk,
  };
}
