// Time-aware measurement: timer-held memory told apart by the settle sample, time budgets for slow apps, and
// early stops once the verdict is clear.
import { describe, expect, it } from 'vitest';
import { compareFixtures } from '../helpers/engine.js';

describe('settle samples', () => {
  it('does not call per-request objects held by a 5 s timer a leak or a regression', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'none', TIMER_MS: 5000, TIMER_BYTES: 2048 },
      settings: { settleMs: 7000, warmupRequests: 1000, rounds: 10, requestsPerRound: 500 },
    });
    const headFit = report.head.fits.find((fit) => fit.metric === 'heapPlusExternal');
    expect(report.head.samples.some((sample) => sample.phase === 'settle')).toBe(true);
    // Most of what the timers held was given back once they fired: settled, head kept under a tenth of the
    // 2 KB each request held (warm-up runs until the held memory is level, so the rounds need not grow).
    expect(headFit?.retainedAfterSettle).not.toBeNull();
    expect(headFit?.retainedAfterSettle).toBeLessThan(2048 / 10);
    expect(['flat', 'transient']).toContain(report.head.verdict);
    expect(report.comparison.verdict).not.toBe('regression');
  });

  it('still finds a real leak hidden among timer-held objects', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none', TIMER_MS: 5000, TIMER_BYTES: 2048 },
      head: { LEAK_KIND: 'heap', LEAK_BYTES: 512, TIMER_MS: 5000, TIMER_BYTES: 2048 },
      settings: { settleMs: 7000, warmupRequests: 1000, rounds: 10, requestsPerRound: 500 },
    });
    const headFit = report.head.fits.find((fit) => fit.metric === 'heapPlusExternal');
    expect(headFit?.retainedAfterSettle).toBeGreaterThan(300);
    expect(report.comparison.verdict).toBe('regression');
  });
});

describe('time budgets and early stops', () => {
  it('fits a ~30 req/s app into its budget and still catches a 4 KB/request leak', async () => {
    const slow = { RESPONSE_DELAY_MS: 300 };
    const budgetMs = 20_000;
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none', ...slow },
      head: { LEAK_KIND: 'heap', LEAK_BYTES: 4096, ...slow },
      settings: { timeBudgetMs: budgetMs, warmupRequests: 5000, rounds: 8, requestsPerRound: 500 },
    });
    expect(report.schedule.isShrunkToBudget).toBe(true);
    expect(report.schedule.warmupRequestsPerSecond).toBeLessThan(60);
    // Sizing is a promise about requests sent, so check it on the requests, with the probe chunk's slack: the
    // rounds fit the budget, and a warm-up that still drifts (head leaks) runs at most the budget more.
    const budgetRequests = report.schedule.warmupRequestsPerSecond * (budgetMs / 1000) * 1.2;
    expect(report.schedule.warmupRequests).toBeLessThanOrEqual(budgetRequests + 200);
    for (const side of [report.base, report.head]) {
      expect(side.load.requests - report.schedule.warmupRequests).toBeLessThanOrEqual(budgetRequests);
    }
    expect(report.schedule.roundsRun).toBeGreaterThanOrEqual(8);
    expect(report.comparison.verdict).toBe('regression');
    // Four steady rounds of 36 requests give a slope within thousands of bytes (3.4 ±3.8 KB/request in a run
    // here); what was kept after the closing settle, over all requests, is the sharp measure of the leak.
    const headFit = report.head.fits.find((fit) => fit.metric === 'heapPlusExternal');
    expect(headFit?.retainedAfterSettle).toBeGreaterThan(3000);
  });

  it('stops early on a large leak, and runs every round of a null comparison', async () => {
    const leak = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'heap', LEAK_BYTES: 4096 },
      settings: { rounds: 20 },
    });
    expect(leak.report.comparison.verdict).toBe('regression');
    expect(leak.report.schedule.isStoppedEarly).toBe(true);
    expect(leak.report.schedule.roundsRun).toBeLessThan(20);
    expect(leak.report.head.samples.filter((sample) => sample.phase === 'measure')).toHaveLength(
      leak.report.schedule.roundsRun,
    );

    const same = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'none' },
      settings: { rounds: 12 },
    });
    expect(same.report.comparison.verdict).toBe('unchanged');
    expect(same.report.schedule.isStoppedEarly).toBe(false);
    expect(same.report.schedule.roundsRun).toBe(12);
  });
});
