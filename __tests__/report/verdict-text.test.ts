// The verdict's sentences are written here from the deciding rule's numbers, once per place they appear.
import { describe, expect, it } from 'vitest';
import type { VerdictFinding } from '../../src/model/verdict.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { renderCompareText } from '../../src/report/terminal.js';
import { describeComparison, inconclusiveHint } from '../../src/report/verdict-text.js';
import { buildReport } from './build-report.js';

const slopes = {
  baseSlopeBytesPerRequest: -56,
  headSlopeBytesPerRequest: 46,
  deltaBytesPerRequest: 102,
  deltaUncertainty: 583,
  thresholdBytesPerRequest: 8,
};

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('verdict text', () => {
  it('says what a wide interval could not see, in the headline, the hint and the terminal', () => {
    const finding: VerdictFinding = { rule: 'detection-limit', detectableBytesPerRequest: 685, ...slopes };
    const report = {
      ...buildReport({
        verdict: 'inconclusive',
        base: { slopeBytes: -56 },
        head: { slopeBytes: 46 },
        finding,
      }),
    };
    report.comparison = { ...report.comparison, deltaBytesPerRequest: 102, deltaUncertainty: 583 };
    const limit = 'this run could only see leaks above ~690 B/request (threshold 8 B)';
    expect(describeComparison(report)).toBe(`head retains +46 B per request (base -56 B); ${limit}`);
    const markdown = renderMarkdownReport({ commentKey: 'k', reports: [report] });
    expect(markdown).toContain(`## ❓ +102 B retained per request (±583, 95 % CI): ${limit}`);
    expect(markdown).not.toContain('below the noise');
    expect(count(markdown, limit)).toBe(1);
    expect(inconclusiveHint(finding)).toMatch(/`time-budget-ms`.*`threshold` to at least 86 B/);
    expect(markdown).toContain('`time-budget-ms`');
    const terminal = renderCompareText(report);
    expect(terminal).toMatch(
      /^INCONCLUSIVE \+102 B retained per request \(±583, 95 % CI\): this run could only see/,
    );
  });

  it('writes the slope, settle and death sentences from their numbers', () => {
    const settled = { retainedDeltaBytesPerRequest: 5, retainedDeltaUncertainty: 10 };
    const of = (finding: VerdictFinding) =>
      describeComparison(
        buildReport({ verdict: 'unchanged', base: { slopeBytes: 0 }, head: { slopeBytes: 0 }, finding }),
      );
    expect(of({ rule: 'held-by-timers', ...slopes, ...settled })).toBe(
      'head retains +46 B per request (base -56 B); after settling head keeps +5 B per request more than base: held by timers, not leaked',
    );
    expect(of({ rule: 'leak-at-both', ...slopes })).toMatch(/: the leak exists at base too$/);
    expect(of({ rule: 'side-crashed', side: 'head', code: 1, signal: null, requestsSent: 10 })).toBe(
      'head crashed (code 1) after 10 requests',
    );
    expect(inconclusiveHint({ rule: 'within-noise', ...slopes })).toBeNull();
  });

  it('prints a death comparison once, from the facts the rule compared', () => {
    const exit = {
      kind: 'watchdog' as const,
      rssBytes: 1,
      limitBytes: 1,
      requestsSent: 900,
      elapsedMs: 9000,
    };
    const report = buildReport({
      verdict: 'regression',
      base: { slopeBytes: 10 },
      head: { slopeBytes: 4000, exit },
      finding: { rule: 'one-side-died', died: 'head', isSurvivorClear: true },
    });
    const facts = {
      requestsSent: 900,
      elapsedMs: 9000,
      slopeBytesPerRequest: 4000,
      fdsPerRequest: null,
      handlesPerRequest: null,
    };
    report.comparison = {
      ...report.comparison,
      deltaBytesPerRequest: null,
      deltaUncertainty: null,
      deaths: {
        head: { ...facts, isDead: true },
        base: { ...facts, isDead: false, requestsSent: 1500, slopeBytesPerRequest: 10 },
      },
    };
    const sentence = describeComparison(report);
    expect(sentence).toBe(
      'head stopped by the RSS watchdog after 900 requests (9 s), growing 3.9 KiB/request; base survived 1,500 requests (9 s), growing 10 B/request',
    );
    expect(count(renderMarkdownReport({ commentKey: 'k', reports: [report] }), sentence)).toBe(1);
  });
});
