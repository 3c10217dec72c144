import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/model/report.js';
import { checkReportsAgainstRun, MAX_REPORT_BYTES, parseUntrustedReport } from '../../src/report/validate.js';
import { buildReport, contentfulBump } from './build-report.js';

const headSha = 'c'.repeat(40);
const baseSha = 'd'.repeat(40);

function measured(overrides: Partial<CompareReport> = {}): CompareReport {
  return {
    ...buildReport({
      verdict: 'regression',
      base: { slopeBytes: 10 },
      head: {
        slopeBytes: 9000,
        exit: { kind: 'crash', code: null, signal: 'SIGABRT', requestsSent: 10, logTail: 'boom' },
      },
      dependencyChanges: [contentfulBump],
    }),
    pr: { number: 12, headSha, baseSha },
    ...overrides,
  };
}

describe('parseUntrustedReport', () => {
  it('accepts a report the engine wrote, exit union included', () => {
    const report = measured();
    expect(parseUntrustedReport(JSON.stringify(report), 'report.json')).toEqual(report);
    const oom = measured({
      head: { ...report.head, exit: { kind: 'oom', requestsSent: 5, elapsedMs: 9, logTail: 'FATAL' } },
    });
    expect(parseUntrustedReport(JSON.stringify(oom), 'report.json').head.exit).toEqual(oom.head.exit);
  });

  it.each([
    ['not JSON', '{"schemaVersion": 1,', /not JSON/],
    ['a wrong kind', JSON.stringify({ ...measured(), kind: 'measure' }), /\/kind must be equal to constant/],
    [
      'a string where a number belongs',
      JSON.stringify({ ...measured(), durationMs: '1' }),
      /\/durationMs must be number/,
    ],
    ['no PR', JSON.stringify({ ...measured(), pr: undefined }), /must have required property 'pr'/],
    [
      'a bad SHA',
      JSON.stringify(measured({ pr: { number: 12, headSha: 'HEAD', baseSha } })),
      /\/pr\/headSha must match/,
    ],
    [
      'an unknown exit kind',
      JSON.stringify({
        ...measured(),
        head: { ...measured().head, exit: { kind: 'pwned', requestsSent: 1 } },
      }),
      /\/head\/exit/,
    ],
    // The headline says "head crashed (SIGABRT)" and "ran out of resources (EMFILE)" as words.
    [
      'markup as a crash signal',
      JSON.stringify({
        ...measured(),
        head: {
          ...measured().head,
          exit: {
            kind: 'crash',
            code: null,
            signal: '<img src=x onerror=alert(1)>',
            requestsSent: 1,
            logTail: '',
          },
        },
      }),
      /\/head\/exit/,
    ],
    [
      'a mention as an exhaustion code',
      JSON.stringify({
        ...measured(),
        head: {
          ...measured().head,
          exit: { kind: 'exhausted', errorCode: '@admin', requestsSent: 1, elapsedMs: 1, logTail: '' },
        },
      }),
      /\/head\/exit/,
    ],
    [
      'an oversized package name',
      JSON.stringify(measured({ dependencyChanges: [{ ...contentfulBump, name: 'x'.repeat(300) }] })),
      /\/dependencyChanges\/0\/name must NOT have more than 214 characters/,
    ],
  ])('rejects %s', (_, json, message) => {
    expect(() => parseUntrustedReport(json, 'artifact/report.json')).toThrow(message);
    expect(() => parseUntrustedReport(json, 'artifact/report.json')).toThrow(
      /Rejected artifact\/report.json/,
    );
  });

  it('rejects an oversized file before parsing it', () => {
    expect(() => parseUntrustedReport(' '.repeat(MAX_REPORT_BYTES + 1), 'big.json')).toThrow(/larger than/);
  });
});

describe('checkReportsAgainstRun', () => {
  it('confirms the PR listed by the triggering run at its head commit', () => {
    expect(checkReportsAgainstRun([measured(), measured()], { headSha, pullRequestNumbers: [12] })).toEqual({
      number: 12,
      headSha,
      isConfirmedByRun: true,
    });
  });

  it('asks for an API check when the run lists no PR, as for forks', () => {
    expect(checkReportsAgainstRun([measured()], { headSha, pullRequestNumbers: [] }).isConfirmedByRun).toBe(
      false,
    );
  });

  it('rejects a report claiming another PR or another commit', () => {
    expect(() => checkReportsAgainstRun([measured()], { headSha, pullRequestNumbers: [13] })).toThrow(
      /PR #12 is not the triggering run's \(#13\)/,
    );
    expect(() =>
      checkReportsAgainstRun([measured()], { headSha: 'e'.repeat(40), pullRequestNumbers: [12] }),
    ).toThrow(/is not the triggering run's head/);
    const other = measured({ pr: { number: 99, headSha, baseSha } });
    expect(() => checkReportsAgainstRun([measured(), other], { headSha, pullRequestNumbers: [] })).toThrow(
      /different pull requests/,
    );
    expect(() => checkReportsAgainstRun([], { headSha, pullRequestNumbers: [] })).toThrow(/none were found/);
  });
});
