// The bisection in the comment and through report mode's schema (pure: no measurement).
import { describe, expect, it } from 'vitest';
import type { BisectionResult, BisectionStep } from '../../src/model/bisect.js';
import type { DependencyChange } from '../../src/model/deps.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { renderCompareText } from '../../src/report/terminal.js';
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
    confirmation: 'slope',
  },
  steps: [
    {
      packages: ['ajv-keywords'],
      verdict: 'install-failed',
      slopeBytesPerRequest: null,
      slopeInterval: null,
      deltaBytesPerRequest: null,
      diedAfterRequests: null,
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
      diedAfterRequests: null,
      reason: 'head retains +65.0 KB per request (base +1.0 KB)',
      isConfirmation: true,
      durationMs: 50_000,
    },
  ],
  units: [
    { lead: 'ajv-keywords', kind: 'bump', packages: ['ajv-keywords'] },
    { lead: 'contentful-sdk-core', kind: 'bump', packages: ['contentful-sdk-core'] },
    { lead: 'ms', kind: 'bump', packages: ['ms'] },
  ],
  candidateCount: 2,
  notBisected: [],
  durationMs: 53_000,
  remedy: {
    name: 'contentful-sdk-core',
    advice: 'stay',
    version: '6.4.5',
    sentence: 'contentful-sdk-core 6.4.4 is a downgrade: stay on 6.4.5, as base does',
    steps: [],
    durationMs: 0,
  },
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
    const headline = body.split('\n').find((line) => line.startsWith('## '));
    expect(headline).toBe(
      '## ❌ +64.0 KiB retained per request (±0.04, 95 % CI) · <code>contentful-sdk-core</code> 6.4.5 → 6.4.4 (downgrade) (culprit of 3 bumps)',
    );
    expect(body).toContain(
      '- **Bisection:** Culprit: <code>contentful-sdk-core</code> 6.4.5 → 6.4.4 (+64.0 KiB/request alone, head’s slope: confirmed); Remedy: contentful-sdk-core 6.4.4 is a downgrade&#58; stay on 6.4.5, as base does',
    );
    // The remedy is the next step: the culprit's clean release (here base's, for a downgrade).
    expect(body).toContain(
      '- **Next step:** contentful-sdk-core 6.4.4 is a downgrade&#58; stay on 6.4.5, as base does; the other 2 bumps can merge without it.',
    );
    expect(body).toContain('<summary>Bisection: 3 bumps, 2 candidates in 53 s</summary>');
    expect(body).toMatch(/\| <code>ajv-keywords<\/code> +\| +— \| +— \| ⏭️ skipped: install failed \|/);
    expect(body).toContain('<code>contentful-sdk-core</code> (confirmation)');
  });

  it('prints culprit, remedy and steps in the terminal too', () => {
    const text = renderCompareText(report);
    expect(text).toContain(
      '\n  culprit contentful-sdk-core 6.4.5 → 6.4.4 (+64.0 KiB/request alone, head’s slope: confirmed)',
    );
    expect(text).toContain(
      '\n  remedy  contentful-sdk-core 6.4.4 is a downgrade: stay on 6.4.5, as base does',
    );
    expect(text).toMatch(
      /\n {2}base \+ contentful-sdk-core \(confirmation\) +\+65\.0 KiB\/req +\+64\.0 KiB\/req +regression/,
    );
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('counts deaths: a culprit that ran out of memory alone, as head did, is confirmed', () => {
    const [skipped, measured] = bisection.steps as [BisectionStep, BisectionStep];
    const died = {
      ...measured,
      slopeBytesPerRequest: null,
      slopeInterval: null,
      deltaBytesPerRequest: null,
      diedAfterRequests: 4200,
    };
    const oom = {
      ...report,
      bisection: {
        ...bisection,
        steps: [skipped, died],
        outcome: {
          ...bisection.outcome,
          deltaBytesPerRequest: null,
          slopeBytesPerRequest: null,
          confirmation: 'ran-out-of-memory' as const,
        },
      },
    };
    const body = renderMarkdownReport({ commentKey: 'default', reports: [oom] });
    expect(body).toContain('alone it ran out of memory after 4,200 requests, as head did: confirmed');
    expect(body).toMatch(/out of memory after 4,200 req \| +— \| ❌ regression/);
    expect(parseUntrustedReport(JSON.stringify(oom), 'report.json').bisection).toEqual(oom.bisection);
  });

  it('names a Node.js bump as the runtime, not as a package called node', () => {
    const node: DependencyChange = {
      name: 'node',
      from: '20.15.1',
      to: '22.12.0',
      kind: 'major',
      direct: true,
      isRuntime: true,
    };
    const runtime = {
      ...report,
      dependencyChanges: [node, ms],
      bisection: {
        ...bisection,
        outcome: { ...bisection.outcome, changes: [node] },
        remedy: {
          ...(bisection.remedy as NonNullable<BisectionResult['remedy']>),
          name: 'node',
          version: '20.15.1',
          sentence: 'Node.js 22.12.0 leaks where 20.15.1 does not: stay on Node.js 20.15.1, as base does',
        },
      },
    };
    const body = renderMarkdownReport({ commentKey: 'default', reports: [runtime] });
    expect(body).toContain('- **Bisection:** Culprit: Node.js 20.15.1 → 22.12.0 (+64.0 KiB/request alone');
    expect(renderCompareText(runtime)).toContain(
      '\n  culprit Node.js 20.15.1 → 22.12.0 (+64.0 KiB/request alone',
    );
    expect(parseUntrustedReport(JSON.stringify(runtime), 'report.json').bisection).toEqual(runtime.bisection);
  });

  it('a single bump is named without a candidate', () => {
    const single = {
      ...report,
      bisection: {
        ...bisection,
        steps: [],
        candidateCount: 0,
        outcome: { ...bisection.outcome, changes: [culprit, ms], confirmation: 'only-bump' as const },
      },
    };
    const text = renderCompareText(single).replace(/\n +/g, ' ');
    expect(text).toContain(
      'with the 1 transitive changes it brings in (the only bump in this PR: nothing else was measured)',
    );
    expect(text).toContain('Bisection: 3 bumps, 0 candidates');
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

  it('shows an inconclusive candidate as inconclusive, never as clean, and report mode accepts it', () => {
    const unsure: BisectionStep = {
      ...(bisection.steps[1] as BisectionStep),
      packages: ['ms'],
      verdict: 'inconclusive',
      isConfirmation: false,
      reason: 'inconclusive (rule detection-limit)',
    };
    const withUnsure = { ...report, bisection: { ...bisection, steps: [...bisection.steps, unsure] } };
    const body = renderMarkdownReport({ commentKey: 'default', reports: [withUnsure] });
    expect(body).toMatch(/\| <code>ms<\/code> .*\| ❓ inconclusive +\|/);
    expect(() => parseUntrustedReport(JSON.stringify(withUnsure), 'report.json')).not.toThrow();
  });

  it('passes report mode’s schema, which rejects a malformed bisection', () => {
    expect(parseUntrustedReport(JSON.stringify(report), 'report.json').bisection).toEqual(bisection);
    const tampered = { ...report, bisection: { ...bisection, outcome: { kind: 'culprit', changes: 'x' } } };
    expect(() => parseUntrustedReport(JSON.stringify(tampered), 'report.json')).toThrow(/Rejected/);
  });
});
