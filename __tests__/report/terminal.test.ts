// The CLI's closing text, from the same report the comment renders: verdict first, 100 columns, no colour
// unless asked for.
import { describe, expect, it } from 'vitest';
import type { BisectionResult } from '../../src/model/bisect.js';
import type { HeapGrowthRow } from '../../src/model/report.js';
import { renderCompareText, renderDependencyText } from '../../src/report/terminal.js';
import { allAnswered, buildReport, contentfulBump } from './build-report.js';
import heapFixture from './fixtures/contentful-head-heap.json' with { type: 'json' };

const ms = { name: 'ms', from: '2.1.2', to: '2.1.3', kind: 'patch' as const, direct: true };
const bisection: BisectionResult = {
  outcome: {
    kind: 'culprit',
    changes: [contentfulBump],
    deltaBytesPerRequest: 11_900,
    slopeBytesPerRequest: 12_000,
    isConfirmed: true,
    confirmation: 'slope',
  },
  units: [
    { lead: 'contentful-sdk-core', kind: 'bump', packages: ['contentful-sdk-core'] },
    { lead: 'ms', kind: 'bump', packages: ['ms'] },
  ],
  steps: [
    {
      packages: ['contentful-sdk-core'],
      verdict: 'regression',
      slopeBytesPerRequest: 12_000,
      slopeInterval: { low: 11_500, high: 12_500 },
      deltaBytesPerRequest: 11_900,
      diedAfterRequests: null,
      reason: 'regression',
      isConfirmation: true,
      durationMs: 50_000,
    },
    {
      packages: ['ms'],
      verdict: 'clean',
      slopeBytesPerRequest: 90,
      slopeInterval: { low: 0, high: 180 },
      deltaBytesPerRequest: -12,
      diedAfterRequests: null,
      reason: 'clean',
      isConfirmation: false,
      durationMs: 50_000,
    },
  ],
  candidateCount: 2,
  notBisected: [],
  durationMs: 100_000,
};

function failReport() {
  const report = buildReport({
    verdict: 'regression',
    base: { slopeBytes: 102 },
    head: { slopeBytes: 12_083 },
    dependencyChanges: [contentfulBump, ms],
    heapDiffs: [
      {
        label: 'head',
        status: 'analysed',
        requests: 1000,
        growing: heapFixture.growing as HeapGrowthRow[],
        analysisMs: 900,
      },
    ],
  });
  return {
    ...report,
    bisection,
    head: {
      ...report.head,
      appDir: heapFixture.appDir,
      traffic: {
        ...allAnswered(15_000),
        statuses: { 200: 14_996, 500: 4 },
        failedStatuses: { 500: 4 },
        connectionErrors: 3,
        failed: 7,
      },
    },
  };
}

describe('renderCompareText', () => {
  it('prints the verdict line first, then the culprit, cause, cost and next step', () => {
    const lines = renderCompareText(failReport()).split('\n');
    expect(lines[0]).toBe(
      'FAIL +11.7 KiB retained per request (±0.04, 95 % CI) · contentful-sdk-core 6.4.5 → 6.4.4 (downgrade)',
    );
    expect(lines[1]).toBe('     (culprit of 2 bumps)');
    expect(lines[2]).toBe('  base aaaaaaa → head bbbbbbb');
    expect(lines[3]).toBe(
      '  culprit contentful-sdk-core 6.4.5 → 6.4.4 (+11.6 KiB/request alone, head’s slope: confirmed)',
    );
    const text = lines.join('\n');
    expect(text).toMatch(/\n {2}cause {3}Map \(defaultsByInstance\) in contentful-sdk-core keeps/);
    expect(text).toMatch(/\n {2}cost {4}≈ 41\.1 MiB\/hour at 1 req\/s; a 256 MiB heap fills in/);
    expect(text).toContain(
      '\n  next    Keep contentful-sdk-core at 6.4.5, the last release without the leak;',
    );
  });

  it('fits every line in 100 columns, paths wrapped, shared retainer hops printed once', () => {
    const text = renderCompareText(failReport());
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(text.split('Map (defaultsByInstance) in node_modules/contentful-sdk-core').length - 1).toBe(1);
    expect(text).not.toContain('leakwatch-head-');
    expect(text).not.toMatch(/system \/ Context|\(object elements\)/);
  });

  it('shows failed requests per side and the bisection steps', () => {
    const text = renderCompareText(failReport());
    expect(text).toMatch(/\nbase +15,000 +0 +1,250\/s/);
    expect(text).toMatch(/\nhead +15,000 +7 +1,250\/s/);
    expect(text).toContain('Bisection: 2 bumps, 2 candidates in 1 min 40 s');
    expect(text).toMatch(
      /\n {2}base \+ contentful-sdk-core \(confirmation\) +\+11\.7 KiB\/req +\+11\.6 KiB\/req +regression/,
    );
    expect(text).toMatch(/\n {2}base \+ ms +\+90 B\/req +-12 B\/req +clean/);
  });

  it('colours the verdict line only when asked (a TTY without NO_COLOR)', () => {
    const plain = renderCompareText(failReport());
    expect(plain).not.toContain('\u001b[');
    const coloured = renderCompareText(failReport(), { isColor: true });
    expect(coloured.split('\n')[0]?.startsWith('\u001b[31m\u001b[1mFAIL +11.7 KiB')).toBe(true);
    expect(coloured.split('\n').slice(1).join('\n')).not.toContain('\u001b[');
  });

  it('leads an error with the failed sides, the first error line of the log and the fix', () => {
    const failure = {
      code: 'START_FAILED' as const,
      message: 'the app exited before it was ready',
      hint: 'Check the start command.',
      logTail:
        "node:internal/modules/cjs/loader:1228\n  throw err;\nError: Cannot find module '/app/srever.js'",
    };
    const report = buildReport({
      verdict: 'error',
      base: { slopeBytes: 0, error: failure },
      head: { slopeBytes: 0, error: failure },
    });
    const lines = renderCompareText(report).split('\n');
    expect(lines[0]).toBe('ERROR could not measure: base and head failed to start');
    expect(lines).toContain(
      "  cause   base and head failed to start: Error: Cannot find module '/app/srever.js' (head log)",
    );
    expect(lines.join('\n')).not.toMatch(/retained per request \(±|requests +failed/);
    expect(lines).toContain('  fix     Check the start command.');
    expect(lines).toContain('head log (last lines):');
  });

  it('names and counts the direct bumps in the headline, the lockfile-only moves as one transitive count', () => {
    const bump = (name: string, direct: boolean) => ({
      name,
      from: '1.0.0',
      to: '1.0.1',
      kind: 'patch' as const,
      direct,
    });
    const transitive = Array.from({ length: 16 }, (_, index) => bump(`dep-${index}`, false));
    const headline = (changes: ReturnType<typeof bump>[]) =>
      renderCompareText(
        buildReport({
          verdict: 'unchanged',
          base: { slopeBytes: 1 },
          head: { slopeBytes: 1 },
          dependencyChanges: changes,
        }),
      )
        .replace(/\n {5}/g, ' ')
        .split('\n')[0];
    // One bump of next that moved 16 lockfile entries is one bump, not "and 16 more".
    expect(headline([...transitive, bump('next', true)])).toMatch(
      / · next 1\.0\.0 → 1\.0\.1 \(\+16 transitive\)$/,
    );
    expect(headline([bump('next', true), bump('react', true), ...transitive])).toMatch(
      / · next 1\.0\.0 → 1\.0\.1 and 1 more \(\+16 transitive\)$/,
    );
    expect(headline([bump('next', true)])).toMatch(/ · next 1\.0\.0 → 1\.0\.1$/);
    expect(headline(transitive.slice(0, 3))).toMatch(
      / · dep-0 1\.0\.0 → 1\.0\.1 and 2 more, all transitive$/,
    );
  });
});

describe('the changed packages', () => {
  it('lists every direct change and the first 20 transitive ones of a lockfile that moved hundreds', () => {
    const transitive = Array.from({ length: 380 }, (_, index) => ({
      name: `dep-${String(index).padStart(3, '0')}`,
      from: '1.0.0',
      to: '1.0.1',
      kind: 'patch' as const,
      direct: false,
    }));
    const lines = renderDependencyText([ms, ...transitive]).split('\n');
    expect(lines[1]).toMatch(/^ {2}ms +2\.1\.2 → 2\.1\.3 +patch, direct$/);
    expect(lines.filter((line) => line.includes('transitive') && line.includes('dep-'))).toHaveLength(20);
    expect(lines.at(-1)).toBe("  … and 360 more transitive changes (all of them in --report's JSON)");
  });

  it('lists all of a few', () => {
    const text = renderDependencyText([ms, { ...ms, name: 'left-pad', direct: false }]);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).not.toContain('more transitive');
  });
});
