// The bisection in the comment and through report mode's schema (pure: no measurement).
import { describe, expect, it } from 'vitest';
import type { BisectionResult } from '../../src/model/bisect.js';
import type { DependencyChange } from '../../src/model/deps.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { parseUntrustedReport } from '../../src/report/validate.js';
import { buildReport } from '../report/build-report.js';

const culprit: DependencyChange = {
  name: 'contentful-sdk-core',
  from: '6.4.5',
  to: '6.4.4',
  kind: 'downgrade',
  direct: true,
};
const ms: DependencyChange = { name: 'ms', from: '2.1.2', to: '2.1.3', kind: 'patch', direct: true };

const bisection: BisectionResult = {
  outcome: {
    kind: 'culprit',
    changes: [culprit],
    deltaBytesPerRequest: 64 * 1024,
    slopeBytesPerRequest: 65 * 1024,
    isConfirmed: true,
  },
  steps: [
    {
      packages: ['ajv-keywords'],
      verdict: 'install-failed',
      slopeBytesPerRequest: null,
      slopeInterval: null,
      deltaBytesPerRequest: null,
      reason: 'failed to install: npm error ERESOLVE unable to resolve dependency tree',
      isConfirmation: false,
      durationMs: 3000,
    },
    {
      packages: ['contentful-sdk-core'],
      verdict: 'regression',
      slopeBytesPerRequest: 65 * 1024,
      slopeInterval: { low: 63 * 1024, high: 67 * 1024 },
      deltaBytesPerRequest: 64 * 1024,
      reason: 'head retains +65.0 KB per request (base +1.0 KB)',
      isConfirmation: true,
      durationMs: 50_000,
    },
  ],
  candidateCount: 2,
  notBisected: [],
  durationMs: 53_000,
};

const report = {
  ...buildReport({
    verdict: 'regression',
    base: { slopeBytes: 1024 },
    head: { slopeBytes: 65 * 1024 },
    dependencyChanges: [culprit, ms],
  }),
  pr: { number: 3, headSha: 'c'.repeat(40), baseSha: 'd'.repeat(40) },
  bisection,
};

describe('bisection in the comment', () => {
  it('names the culprit in the headline and lists the steps, the skipped one included', () => {
    const body = renderMarkdownReport({ commentKey: 'default', reports: [report] });
    const headline = body.split('\n').find((line) => line.startsWith('**'));
    expect(headline).toContain(
      'Culprit: <code>contentful-sdk-core</code> 6.4.5 → 6.4.4 (+64.0 KB/request alone)',
    );
    expect(body).toContain('<summary>Bisection: 2 candidates in 53 s</summary>');
    expect(body).toMatch(/\| <code>ajv-keywords<\/code> +\| +— \| +— \| ⏭️ skipped: install failed \|/);
    expect(body).toContain('<code>contentful-sdk-core</code> (confirmation)');
  });

  it('says when the leak needs bumps together', () => {
    const interaction = {
      ...report,
      bisection: { ...bisection, outcome: { kind: 'interaction' as const, changes: [culprit, ms] } },
    };
    const body = renderMarkdownReport({ commentKey: 'default', reports: [interaction] });
    expect(body).toContain(
      'the leak needs these together: <code>contentful-sdk-core</code> 6.4.5 → 6.4.4, <code>ms</code> 2.1.2 → 2.1.3',
    );
  });

  it('passes report mode’s schema, which rejects a malformed bisection', () => {
    expect(parseUntrustedReport(JSON.stringify(report), 'report.json').bisection).toEqual(bisection);
    const tampered = { ...report, bisection: { ...bisection, outcome: { kind: 'culprit', changes: 'x' } } };
    expect(() => parseUntrustedReport(JSON.stringify(tampered), 'report.json')).toThrow(/Rejected/);
  });
});
