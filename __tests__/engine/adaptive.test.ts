// Time-held memory and deaths as results, at the defaults (no rate, no settle, no snapshot settings): real
// fixture servers, real autocannon. The 60 s fixtures take minutes: their comparisons run side by side.
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/model/report.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { renderCompareText } from '../../src/report/terminal.js';
import { compareFixtures } from '../helpers/engine.js';

/** Defaults, not the quick test settings of the helper: the point is what a new user gets. */
const atDefaults = {
  rounds: 20,
  requestsPerRound: 500,
  settleMs: 10_000,
  heapSnapshots: 'on-regression',
} as const;

const timeHeld = { TIMER_MS: 60_000, TIMER_BYTES: 300_000 };
const runs = Number(process.env.LEAKWATCH_ADAPTIVE_RUNS ?? 1);

/** The RSS watchdog must never be why a diff is missing: leakwatch's own snapshots do not count against the app. */
function expectNoWatchdogSkip(report: CompareReport) {
  for (const diff of report.heapDiffs ?? []) {
    if (diff.status === 'skipped') expect(diff.reason).not.toMatch(/watchdog/);
  }
  for (const side of [report.base, report.head]) expect(side.exit?.kind).not.toBe('watchdog');
}

function diffOf(report: CompareReport, label: 'base' | 'head') {
  const diff = report.heapDiffs?.find((candidate) => candidate.label === label);
  if (diff?.status !== 'analysed')
    throw new Error(`${label} has no analysed heap diff: ${JSON.stringify(diff)}`);
  return diff;
}

/**
 * A null comparison of time-held memory passes. Under load the held memory blurs the slopes (±120 KB/request);
 * the settle samples decide: their uncertainty comes from how closely each settle's last idle samples agree
 * (±78 B/request per side over the ~400 requests between the settles at the chosen rate), so the detection-limit
 * rule can rule out a leak that matters (268 B/request under 256 MB). It read `inconclusive` in 9 of 10 runs
 * while that uncertainty came from the scatter under load.
 */
function expectTimeHeldNull(report: CompareReport) {
  const why = JSON.stringify({ comparison: report.comparison, schedule: report.schedule });
  expect(report.comparison.verdict, why).toBe('unchanged');
}

describe('time-held memory (60 s timers, ~300 KB/request)', () => {
  it(
    'is not a regression, and the report shows the hold time and the rate; a head leak on top is one, explained',
    async () => {
      const comparisons = await Promise.all(
        Array.from({ length: runs }, () => [
          compareFixtures({
            base: { LEAK_KIND: 'none', ...timeHeld },
            head: { LEAK_KIND: 'none', ...timeHeld },
            settings: atDefaults,
          }),
          compareFixtures({
            base: { LEAK_KIND: 'none', ...timeHeld },
            head: { LEAK_KIND: 'page', LEAK_BYTES: 300_000, ...timeHeld },
            settings: atDefaults,
          }),
        ]).flat(),
      );
      for (const [index, { report }] of comparisons.entries()) {
        expectNoWatchdogSkip(report);
        const held = report.schedule.timeHeld;
        expect(held?.holdMs).toBeGreaterThan(50_000);
        expect(held?.holdMs).toBeLessThan(75_000);
        expect(held?.rateSource).toBe('adaptive');
        // rate × hold × bytes/request ≤ 40 % of the 256 MB cap.
        expect((held?.ratePerSecond ?? 0) * 60 * 300_000).toBeLessThan(0.45 * 256 * 2 ** 20);
        const line = /time-held memory detected: ~\d+ s; measured at [\d.]+ requests\/s/;
        expect(renderCompareText(report)).toMatch(line);
        expect(renderMarkdownReport({ commentKey: 'test', reports: [report] })).toMatch(line);
        const loadMs = Math.max(report.base.load.durationMs, report.head.load.durationMs);
        expect(loadMs).toBeLessThan(300_000);
        if (index % 2 === 0) {
          expectTimeHeldNull(report);
          // A null run has nothing clear to stop early on, least of all while held memory is still filling.
          expect(report.schedule.isStoppedEarly).toBe(false);
          // Held memory reads as growth at both sides before the settle; the settled verdict shows no diff.
          expect(report.heapDiffs ?? []).toEqual([]);
        } else {
          expect(report.comparison.verdict).toBe('regression');
          const head = diffOf(report, 'head');
          expect(head.growing.some((row) => row.name === 'LeakedPage')).toBe(true);
          // The cause names what holds the leak, not the timers that hold the time-held memory beside it.
          const comment = renderMarkdownReport({ commentKey: 'test', reports: [report] });
          expect(comment, comment).toMatch(/\*\*Cause:\*\*[^\n]*leakedPages/);
          // The headline leads with the delta that decided the verdict.
          expect(report.comparison.deltaBytesPerRequest ?? 0).toBeGreaterThan(200_000);
        }
      }
    },
    15 * 60_000,
  );
});

describe('deaths are results', () => {
  it('restarts two sides that both die in the first requests slower, instead of calling it pre-existing', async () => {
    // ~1 MB per request held for 5 s: both sides die within the 200-request throughput probe under a 64 MB cap,
    // before any watch could see the memory come back. A few requests/s keep them alive.
    const held = { TIMER_MS: 5_000, TIMER_BYTES: 1_000_000 };
    const settings = { ...atDefaults, heapCapMb: 64 };
    const [same, leak] = await Promise.all([
      compareFixtures({
        base: { LEAK_KIND: 'none', ...held },
        head: { LEAK_KIND: 'none', ...held },
        settings,
      }),
      compareFixtures({
        base: { LEAK_KIND: 'none', ...held },
        head: { LEAK_KIND: 'page', LEAK_BYTES: 50_000, ...held },
        settings,
      }),
    ]);
    for (const { report, lines } of [same, leak]) {
      expectNoWatchdogSkip(report);
      expect(lines.some((line) => /died within \d+ requests.*restarting them/.test(line))).toBe(true);
      expect(report.schedule.timeHeld?.holdMs).toBeGreaterThan(4_000);
      expect(report.schedule.timeHeld?.holdMs).toBeLessThan(15_000);
      expect(report.base.exit).toBeNull();
    }
    expect(same.report.head.exit).toBeNull();
    // Open (issue 12): after the slower restart the null side measures only ~200-400 requests at 3 requests/s, and
    // its verdict is not reliable yet: `unchanged`, `regression` and `pre-existing` were seen on one build; with the
    // settle uncertainty from the settle samples (2026-12-01) `improvement` (-39 ±27 B/request from 5 steady points
    // after an early stop) and `pre-existing` (both sides ~293 B/request under load and 54 ±66 kept after settling,
    // the same at both: the side rule calls 54 > 32 a leak without its ±). Settling read no difference in both
    // (+1.3 ±163, -0.5 ±94 B/request); the slope rules decided before it. This test holds the retry itself: the
    // restart, the hold, both survivors, and the leak found after it.
    expect(same.report.comparison.verdict).not.toBe('error');
    expect(leak.report.comparison.verdict).toBe('regression');
    expect(diffOf(leak.report, 'head').growing.some((row) => row.name === 'LeakedPage')).toBe(true);
  }, 600_000);

  it('fails a head that runs out of heap in warm-up, with a heap diff', async () => {
    const { report } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'page', LEAK_BYTES: 500_000 },
      settings: { ...atDefaults, heapCapMb: 64 },
    });
    expectNoWatchdogSkip(report);
    expect(report.head.exit?.kind).toBe('oom');
    expect(report.comparison.verdict).toBe('regression');
    expect(diffOf(report, 'head').growing.some((row) => row.name === 'LeakedPage')).toBe(true);
    // Base stopped once head's death decided the verdict, long before its 15,000 planned requests.
    expect(report.base.load.requests).toBeLessThan(6000);
  }, 300_000);

  it('stops a healthy base above half a small cap once head died and base served a third more', async () => {
    // Under an 8 MB cap a plain server's own ~6 MB heap sits above half of it: base is stopped mid-run because its
    // growth could not fill the rest of the cap, not because it is low. The RSS watchdog is set far above a Node
    // process's own ~60 MB, so head's death is V8's own out-of-memory.
    const { report, lines } = await compareFixtures({
      base: { LEAK_KIND: 'none' },
      head: { LEAK_KIND: 'page', LEAK_BYTES: 4_000 },
      settings: { ...atDefaults, heapCapMb: 8, rssLimitMb: 512, heapSnapshots: 'never' },
    });
    expect(report.head.exit?.kind, JSON.stringify(report.comparison.finding)).toBe('oom');
    expect(report.base.exit).toBeNull();
    expect(report.comparison.verdict, JSON.stringify(report.comparison.finding)).toBe('regression');
    const baseLast = report.base.samples.filter((s) => s.phase !== 'idle' && s.phase !== 'settle').at(-1);
    expect((baseLast?.heapUsedBytes ?? 0) + (baseLast?.externalBytes ?? 0)).toBeGreaterThan(4 * 2 ** 20);
    expect(lines.some((line) => line.startsWith('base: stopping it, it served clearly more'))).toBe(true);
    const headDiedAt = report.comparison.deaths?.head.requestsSent ?? 0;
    expect(report.base.load.requests).toBeGreaterThanOrEqual(headDiedAt / 0.75);
    // Stopped at the first chunk past that, long before its 15,000 planned requests.
    expect(report.base.load.requests).toBeLessThan(headDiedAt / 0.75 + 1000);
  }, 300_000);

  it('calls two sides that leak alike until they die pre-existing, naming what grows at base', async () => {
    const leak = { LEAK_KIND: 'page', LEAK_BYTES: 20_000 };
    const { report } = await compareFixtures({
      base: leak,
      head: leak,
      settings: { ...atDefaults, heapCapMb: 64 },
    });
    expectNoWatchdogSkip(report);
    expect(report.base.exit?.kind).toBe('oom');
    expect(report.head.exit?.kind).toBe('oom');
    expect(report.comparison.verdict).toBe('pre-existing');
    expect(report.comparison.deaths?.base.slopeBytesPerRequest).toBeGreaterThan(15_000);
    expect(report.comparison.deaths?.head.slopeBytesPerRequest).toBeGreaterThan(15_000);
    expect(diffOf(report, 'base').growing.some((row) => row.name === 'LeakedPage')).toBe(true);
    // Both slopes are in the comment, not only in the JSON.
    const comment = renderMarkdownReport({ commentKey: 'test', reports: [report] });
    const slopes = (label: string) =>
      new RegExp(`${label} ran out of heap after [\\d,]+ requests \\(\\d+ s\\), growing [\\d.]+ KiB/request`);
    expect(comment, comment).toMatch(slopes('head'));
    expect(comment, comment).toMatch(slopes('base'));
    // And what grows at base, where the existing leak lives.
    expect(comment.split('#### What grows at base')[1] ?? '', comment).toMatch(/LeakedPage/);
  }, 300_000);

  it('calls head dying clearly sooner than base a regression', async () => {
    const { report } = await compareFixtures({
      // Base passes half its cap before head dies, so it is measured until it dies too.
      base: { LEAK_KIND: 'page', LEAK_BYTES: 25_000 },
      head: { LEAK_KIND: 'page', LEAK_BYTES: 75_000 },
      settings: { ...atDefaults, heapCapMb: 64 },
    });
    expectNoWatchdogSkip(report);
    expect(report.head.exit?.kind).toBe('oom');
    expect(report.base.exit?.kind).toBe('oom');
    expect(report.comparison.verdict).toBe('regression');
    expect(report.comparison.deaths?.head.requestsSent).toBeLessThan(
      0.75 * (report.comparison.deaths?.base.requestsSent ?? 0),
    );
  }, 300_000);

  it('calls file-descriptor exhaustion on both sides pre-existing, with the fd growth, not an error', async () => {
    const fds = { LEAK_KIND: 'socket-server' };
    const { report } = await compareFixtures({
      base: fds,
      head: fds,
      settings: { ...atDefaults, startCommand: 'ulimit -n 400 && node server.cjs' },
    });
    expectNoWatchdogSkip(report);
    expect(report.base.exit?.kind).toBe('exhausted');
    expect(report.head.exit?.kind).toBe('exhausted');
    expect(report.comparison.verdict).toBe('pre-existing');
    expect(report.comparison.deaths?.head.fdsPerRequest).toBeGreaterThan(0.8);
    expect(report.comparison.deaths?.head.handlesPerRequest).toBeGreaterThan(0.8);
    // The fd and handle growth is in the comment, for both sides.
    const comment = renderMarkdownReport({ commentKey: 'test', reports: [report] });
    for (const label of ['head', 'base'])
      expect(comment, comment).toMatch(
        new RegExp(
          `${label} ran out of resources \\(EMFILE\\) after .*[\\d.]+ fds/request, [\\d.]+ handles/request`,
        ),
      );
  }, 300_000);
});
