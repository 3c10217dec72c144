import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import type { DependencyChange } from '../../src/model/deps.js';
import { resampleSides } from '../../src/report/chart.js';
import { MAX_COMMENT_CHARS, overallVerdict, renderMarkdownReport } from '../../src/report/markdown.js';
import { formatBytes } from '../../src/report/units.js';
import { buildReport, contentfulBump } from './build-report.js';

// GFM as GitHub parses it, with raw HTML passed through (GitHub keeps <details>, <code>, <pre>, <sub>...).
function toHtml(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

const regression = () =>
  buildReport({
    verdict: 'regression',
    base: { slopeBytes: 102 },
    head: { slopeBytes: 12_083 },
    dependencyChanges: [contentfulBump],
  });

describe('renderMarkdownReport', () => {
  it('leads with the verdict and a reason naming the slopes and the bumped package', () => {
    const body = renderMarkdownReport({ commentKey: 'default', reports: [regression()] });
    const lines = body.split('\n');
    expect(lines[0]).toBe('<!-- leakwatch:default -->');
    expect(body).toContain('## ❌ leakwatch: memory regression');
    expect(body).toContain(
      '**head retains +11.8 KB per request (base +0.1 KB); <code>contentful-sdk-core</code> 6.4.5 → 6.4.4**',
    );
    expect(toHtml(body)).toContain('<h2>❌ leakwatch: memory regression</h2>');
  });

  it.each([
    ['unchanged', '✅ leakwatch: no memory regression'],
    ['improvement', '✅ leakwatch: no memory regression'],
    ['pre-existing', '⚠️ leakwatch: pre-existing leak'],
    ['error', '💥 leakwatch: could not measure'],
  ] as const)('headlines a %s comparison', (verdict, headline) => {
    const report = buildReport({ verdict, base: { slopeBytes: 5000 }, head: { slopeBytes: 5000 } });
    expect(renderMarkdownReport({ commentKey: 'k', reports: [report] })).toContain(`## ${headline}`);
  });

  it('headlines a skipped run and a run that failed before measuring', () => {
    const skipped = renderMarkdownReport({
      commentKey: 'k',
      reports: [],
      skipped: { reason: 'No dependency changed.' },
    });
    expect(skipped).toContain('## ⏭️ leakwatch: skipped');
    expect(skipped).toContain('No dependency changed.');

    const failed = renderMarkdownReport({
      commentKey: 'k',
      reports: [],
      error: {
        code: 'BUILD_FAILED',
        message: 'npm run build exited with 1',
        hint: 'Fix the build',
        logTail: 'oops',
      },
    });
    expect(failed).toContain('## 💥 leakwatch: could not measure');
    expect(failed).toContain('<code>BUILD&#95;FAILED</code>');
    expect(toHtml(failed)).toContain('<pre>oops</pre>');
  });

  it('ranks a regression in any scenario above the others', () => {
    const reports = [
      buildReport({
        verdict: 'unchanged',
        base: { slopeBytes: 1 },
        head: { slopeBytes: 1 },
        scenarioName: 'a',
      }),
      buildReport({
        verdict: 'pre-existing',
        base: { slopeBytes: 9e3 },
        head: { slopeBytes: 9e3 },
        scenarioName: 'b',
      }),
      buildReport({
        verdict: 'regression',
        base: { slopeBytes: 1 },
        head: { slopeBytes: 4e3 },
        scenarioName: 'c',
      }),
    ];
    expect(overallVerdict({ reports })).toBe('regression');
    expect(overallVerdict({ reports: reports.slice(0, 2) })).toBe('pre-existing');
    const body = renderMarkdownReport({ commentKey: 'matrix', reports });
    expect(body).toContain('**<code>c</code> (1 of 3 scenarios): head retains +3.9 KB per request');
    expect(count(body, '```mermaid')).toBe(3);
    // Metrics, load and (collapsed) settings per scenario; no package changed.
    expect(count(toHtml(body), '<table>')).toBe(3 * 3);
  });

  it('renders the metric, load and package tables as real GFM tables', () => {
    const html = toHtml(renderMarkdownReport({ commentKey: 'default', reports: [regression()] }));
    const tables = html.match(/<table>[\s\S]*?<\/table>/g) ?? [];
    const [metrics, load, packages] = tables;
    expect(tables).toHaveLength(4);
    expect(count(metrics ?? '', '<tr>')).toBe(5);
    expect(metrics).toMatch(/<td align="left">Heap \+ external<\/td>/);
    expect(metrics).toContain('❌ flat → leak');
    expect(count(load ?? '', '<tr>')).toBe(3);
    expect(load).toContain('1,250 req/s');
    expect(packages).toContain('<td><code>contentful-sdk-core</code></td>');
    expect(packages).toContain('<td>downgrade</td>');
    expect(packages).toContain('<td>direct</td>');
    for (const table of tables) {
      const widths = (table.match(/<tr>[\s\S]*?<\/tr>/g) ?? []).map((row) => count(row, '<t'));
      expect(new Set(widths).size).toBe(1);
    }
  });

  it('marks the heap row by the comparison when base leaks a little and head far more', () => {
    const report = buildReport({
      verdict: 'regression',
      base: { slopeBytes: 53, verdict: 'leak' },
      head: { slopeBytes: 4600, verdict: 'leak' },
    });
    const body = renderMarkdownReport({ commentKey: 'default', reports: [report] });
    expect(body).toMatch(/\| Heap \+ external +\|[^\n]*\| ❌ leak → leak +\|/);
    const preExisting = buildReport({
      verdict: 'pre-existing',
      base: { slopeBytes: 4600, verdict: 'leak' },
      head: { slopeBytes: 4600, verdict: 'leak' },
    });
    const same = renderMarkdownReport({ commentKey: 'default', reports: [preExisting] });
    expect(same).toMatch(/\| Heap \+ external +\|[^\n]*\| ⚠️ leak → leak +\|/);
  });

  it('draws base and head on shared request counts in a mermaid xychart', () => {
    const body = renderMarkdownReport({ commentKey: 'default', reports: [regression()] });
    const chart = body.match(/```mermaid\n([\s\S]*?)\n```/)?.[1] ?? '';
    expect(chart).toContain('\nxychart-beta\n');
    const categories = chart.match(/x-axis "requests sent" \[(.*)\]/)?.[1]?.split(', ') ?? [];
    const lines = [...chart.matchAll(/line \[(.*)\]/g)].map(
      (match) => match[1]?.split(', ').map(Number) ?? [],
    );
    expect(categories).toHaveLength(12);
    expect(lines).toHaveLength(2);
    const [base = [], head = []] = lines;
    expect(base).toHaveLength(12);
    expect(head).toHaveLength(12);
    const [, low = 0, high = 0] = chart.match(/y-axis "MB" (-?\d+) --> (\d+)/)?.map(Number) ?? [];
    for (const value of [...base, ...head]) {
      expect(value).toBeGreaterThanOrEqual(low);
      expect(value).toBeLessThanOrEqual(high);
    }
    // 12 KB/request over ~9,500 requests is ~110 MB of growth; the base line stays flat.
    expect((head.at(-1) ?? 0) - (head[0] ?? 0)).toBeGreaterThan(100);
    expect((base.at(-1) ?? 0) - (base[0] ?? 0)).toBeLessThan(2);
  });

  it('stops the chart where the shorter side stopped, without extrapolating', () => {
    const report = buildReport({
      verdict: 'regression',
      base: { slopeBytes: 0 },
      head: { slopeBytes: 9e3, sampleCount: 8 },
    });
    const series = resampleSides(report.base.samples, report.head.samples);
    expect(series?.requestCounts[0]).toBe(5000);
    expect(series?.requestCounts.at(-1)).toBe(5000 + 7 * 500);
    expect(resampleSides(report.base.samples, report.head.samples.slice(0, 1))).toBeNull();
  });

  it('escapes hostile names, versions, scenario names, reasons and logs', () => {
    const hostile = '</details><img src=x onerror=alert(1)>';
    const changes: DependencyChange[] = [
      { name: hostile, from: '1.0.0', to: '| evil |', kind: 'patch', direct: true },
      {
        name: '```',
        from: '<!-- leakwatch:x -->',
        to: '[x](javascript:alert(1))',
        kind: 'minor',
        direct: false,
      },
      { name: '@evil/pkg\n\n# injected heading', from: '**1**', to: '$\\sum$', kind: 'major', direct: true },
    ];
    const report = buildReport({
      verdict: 'regression',
      base: { slopeBytes: 1 },
      head: {
        slopeBytes: 9e3,
        exit: {
          kind: 'crash',
          code: 1,
          signal: null,
          requestsSent: 10,
          logTail: '```\n</pre></details><script>x</script>\n```',
        },
      },
      scenarioName: '<!-- leakwatch:x --> | pwn',
      reason: '</details><img src=x onerror=alert(2)>',
      dependencyChanges: changes,
    });
    const body = renderMarkdownReport({
      commentKey: 'default',
      reports: [report],
      runUrl: 'https://github.com/o/r/actions/runs/1) ![x](https://evil.example/x.png',
    });
    const html = toHtml(body);
    expect(count(body, '<!-- leakwatch:')).toBe(1);
    expect(html).not.toMatch(/<img|<script|<h1|<a href="javascript|<math|<em>1<\/em>|<strong>1<\/strong>/i);
    expect(count(html, '<details>')).toBe(2);
    expect(count(html, '</details>')).toBe(2);
    expect(html.match(/<pre>(?!<code)/g)).toHaveLength(1);
    // Hostile text is shown, inert, where it belongs.
    expect(html).toContain('<code>&lt;/details&gt;&lt;img src=x onerror=alert(1)&gt;</code>');
    // Inside the raw <pre> block, character references reach the browser, which shows them as text.
    expect(html).toContain('&#60;/pre&#62;&#60;/details&#62;&#60;script&#62;x&#60;/script&#62;');
    const packages =
      html.match(/<table>[\s\S]*?<\/table>/g)?.find((table) => table.includes('Package')) ?? '';
    expect(count(packages, '<tr>')).toBe(4);
    expect(packages).toContain('<td>1.0.0 → | evil |</td>');
    // The run link stays one link to the URL given, its parenthesis encoded.
    expect(count(html, '<a href=')).toBe(1);
    expect(html).toMatch(/href="https:\/\/github\.com\/o\/r\/actions\/runs\/1%29%20%21%5bx%5d%28/i);
  });

  it('keeps markup whole while shortening to fit the limit', () => {
    const manyChanges = Array.from({ length: 5000 }, (_, index) => ({
      name: `package-with-a-long-name-${index}`,
      from: '1.0.0',
      to: '1.0.1',
      kind: 'patch' as const,
      direct: index % 2 === 0,
    }));
    const withLogs = buildReport({
      verdict: 'regression',
      base: { slopeBytes: 1 },
      head: {
        slopeBytes: 9e3,
        exit: { kind: 'oom', requestsSent: 10, elapsedMs: 1, logTail: 'x'.repeat(9000) },
      },
      dependencyChanges: manyChanges,
    });
    const full = renderMarkdownReport({ commentKey: 'k', reports: [withLogs] });
    expect(full.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(full).toContain('_…and 4,900 more._');
    expect(full).toContain('<summary>Log tails</summary>');
    expect(full).not.toContain('shortened');

    const compact = renderMarkdownReport({ commentKey: 'k', reports: [withLogs], maxChars: full.length - 1 });
    expect(compact.length).toBeLessThan(full.length);
    expect(compact).toContain('_…and 4,980 more._');
    expect(compact).toContain('shortened to fit');
    expect(compact).toContain('```mermaid');
    expect(compact).not.toContain('<details>');

    const matrix = Array.from({ length: 200 }, (_, index) =>
      buildReport({
        verdict: 'unchanged',
        base: { slopeBytes: 1 },
        head: { slopeBytes: 2 },
        scenarioName: `s${index}`,
      }),
    );
    const summary = renderMarkdownReport({ commentKey: 'k', reports: matrix });
    expect(summary.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(summary).not.toContain('```mermaid');
    expect(count(summary, '\n- ✅ <code>s')).toBe(200);

    for (const maxChars of [2000, 600, 300]) {
      const short = renderMarkdownReport({ commentKey: 'k', reports: [withLogs], maxChars });
      expect(short.length).toBeLessThanOrEqual(maxChars);
      expect(short.startsWith('<!-- leakwatch:k -->')).toBe(true);
      expect(short).toContain('## ❌ leakwatch: memory regression');
      expect(count(toHtml(short), '<details>')).toBe(count(toHtml(short), '</details>'));
      expect(count(short, '<code>')).toBe(count(short, '</code>'));
    }
  });

  it('unfolds a full report under the limit with its details', () => {
    const body = renderMarkdownReport({
      commentKey: 'k',
      reports: [regression()],
      runUrl: 'https://x.test/run/1',
    });
    expect(body).not.toContain('shortened');
    expect(body).toContain('<summary>Settings, versions and runner</summary>');
    expect(body).toContain('[workflow run](https://x.test/run/1)');
  });
});

describe('formatBytes', () => {
  it('formats signed bytes per request in a readable unit', () => {
    expect(formatBytes(12_083)).toBe('+11.8 KB');
    expect(formatBytes(-512)).toBe('-512 B');
    expect(formatBytes(0.04)).toBe('0.0 B');
    expect(formatBytes(3.5 * 1024 * 1024, { signed: false })).toBe('3.5 MB');
    expect(formatBytes(102, { unit: 'KB' })).toBe('+0.1 KB');
    expect(formatBytes(Number.NaN)).toBe('n/a');
  });
});
