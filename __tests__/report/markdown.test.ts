import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import type { DependencyChange } from '../../src/model/deps.js';
import type { HeapGrowthRow } from '../../src/model/report.js';
import { resampleSides } from '../../src/report/chart.js';
import { MAX_COMMENT_CHARS, renderJobSummary, renderMarkdownReport } from '../../src/report/markdown.js';
import { overallVerdict } from '../../src/report/overall-verdict.js';
import { allAnswered, buildReport, contentfulBump } from './build-report.js';
import heapFixture from './fixtures/contentful-head-heap.json' with { type: 'json' };

// GFM as GitHub parses it, with raw HTML passed through (GitHub keeps <details>, <code>, <pre>, <sub>...).
function toHtml(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

const headHeap = {
  label: 'head' as const,
  status: 'analysed' as const,
  requests: 1000,
  growing: heapFixture.growing as HeapGrowthRow[],
  analysisMs: 900,
};

const regression = (extra: { productionRps?: number } = {}) => {
  const report = buildReport({
    verdict: 'regression',
    base: { slopeBytes: 102 },
    head: { slopeBytes: 12_083 },
    dependencyChanges: [contentfulBump],
    heapDiffs: [headHeap],
    ...extra,
  });
  return { ...report, head: { ...report.head, appDir: heapFixture.appDir } };
};

describe('renderMarkdownReport', () => {
  it('leads with the decisive delta, its interval and the bumped package, on one line', () => {
    const body = renderMarkdownReport({ commentKey: 'default', reports: [regression()] });
    const lines = body.split('\n');
    expect(lines[0]).toBe('<!-- leakwatch:default -->');
    // 12,083 − 102 B = 11.7 KiB; the uncertainty of 40 B shown in the same unit.
    expect(lines[2]).toBe(
      '## ❌ +11.7 KiB retained per request (±0.04, 95 % CI) · <code>contentful-sdk-core</code> 6.4.5 → 6.4.4 (downgrade)',
    );
    expect(lines[4]).toBe('base <code>aaaaaaa</code> → head <code>bbbbbbb</code>');
    // The same number in the decisive table, and no second sentence with other rounding.
    expect(body).toContain('| **+11.7 ±0.04** |');
    expect(body).not.toContain('head slope differs from base');
    expect(body).not.toMatch(/\bKB\b/);
  });

  it('says the cause, the cost at 1 req/s and the next step', () => {
    const body = renderMarkdownReport({ commentKey: 'default', reports: [regression()] });
    expect(body).toContain(
      '- **Cause:** <code>Map</code> (<code>defaultsByInstance</code>) in contentful-sdk-core keeps 13 <code>wrap&#40;&#41;</code>, 17 <code>Object</code> and 4 <code>Array</code> from axios per request.',
    );
    // 11,981 B × 3,600 = 41.1 MiB/hour; head ended with ~197 MiB of its 256 MiB heap in use.
    expect(body).toMatch(
      /- \*\*Cost:\*\* ≈ 41\.1 MiB\/hour at 1 req\/s; a 256 MiB heap fills in ~\d+ (h|min) \(set <code>production-rps<\/code> for your traffic\)\./,
    );
    expect(body).toContain(
      '- **Next step:** Stay on <code>contentful-sdk-core</code> 6.4.5: this bump is a downgrade and brings the leak back.',
    );
    const atTraffic = renderMarkdownReport({ commentKey: 'k', reports: [regression({ productionRps: 50 })] });
    expect(atTraffic).toContain('≈ 2.0 GiB/hour at 50 req/s; a 256 MiB heap fills in ~');
    expect(atTraffic).not.toContain('production-rps');
  });

  it('shows one decisive table in one unit; the other metrics collapsed, all-zero rows left out', () => {
    const html = toHtml(renderMarkdownReport({ commentKey: 'default', reports: [regression()] }));
    const tables = html.match(/<table>[\s\S]*?<\/table>/g) ?? [];
    const [decisive, heap] = tables;
    expect(decisive).toContain('<th align="left">KiB retained per request</th>');
    expect(decisive).not.toMatch(/KiB<\/td>|B<\/td>/);
    expect(heap).toContain('<th align="left">Owner</th>');
    const others = tables.find((table) => table.includes('ArrayBuffers')) ?? '';
    expect(others).toContain('RSS');
    expect(others).not.toContain('Active handles');
    expect(others).not.toMatch(/❌|✅|⚠️/);
    expect(html.indexOf('ArrayBuffers')).toBeGreaterThan(
      html.indexOf('<summary>Other metrics and load</summary>'),
    );
    for (const table of tables) {
      const widths = (table.match(/<tr>[\s\S]*?<\/tr>/g) ?? []).map((row) => count(row, '<t'));
      expect(new Set(widths).size).toBe(1);
    }
  });

  it('lists the heap rows by owner and the retainer path open, its shared hops once', () => {
    const body = renderMarkdownReport({ commentKey: 'default', reports: [regression()] });
    const heap = body.slice(body.indexOf('#### What grows at head'));
    expect(heap).toContain('| <code>wrap&#40;&#41;</code>');
    expect(heap).toMatch(
      /\| <code>anonymous function<\/code> +\| <code>contentful-sdk-core<\/code> \(bumped\)/,
    );
    expect(heap).not.toMatch(/system \/ Context|object elements|leakwatch-head-/);
    expect(count(heap.slice(0, heap.indexOf('<details')), '\n| <code>')).toBe(5);
    expect(heap).toContain('<details open>\n<summary>What holds it, from the GC root</summary>');
    expect(count(heap, '(<code>defaultsByInstance</code>)')).toBe(1);
    expect(heap).toMatch(
      /\n {3}- \*\*<code>wrap&#40;&#41;<\/code>\*\* \(defined in <code>node&#95;modules\/axios\/lib\/helpers\/bind&#8203;\.js<\/code>\)/,
    );
  });

  it('tells a PASS that removes a leak, an unchanged run and a pre-existing leak apart', () => {
    const improvement = buildReport({
      verdict: 'improvement',
      base: { slopeBytes: 3600 },
      head: { slopeBytes: 16 },
      dependencyChanges: [{ ...contentfulBump, from: '6.4.4', to: '6.4.5', kind: 'patch' }],
    });
    const pass = renderMarkdownReport({ commentKey: 'k', reports: [improvement] });
    expect(pass).toContain(
      '## ✅ -3.5 KiB retained per request (±0.04, 95 % CI) · <code>contentful-sdk-core</code> 6.4.4 → 6.4.5',
    );
    expect(pass).toContain('- **Next step:** Merge: this change removes a 3.5 KiB/request leak.');
    expect(pass).toContain('- **Cost:** Saves ≈ 12.3 MiB/hour at 1 req/s');

    const unchanged = buildReport({
      verdict: 'unchanged',
      base: { slopeBytes: 10 },
      head: { slopeBytes: 28 },
    });
    expect(renderMarkdownReport({ commentKey: 'k', reports: [unchanged] })).toContain(
      '## ✅ +18 B retained per request (±40, 95 % CI), below the noise: no regression',
    );

    const preExisting = buildReport({
      verdict: 'pre-existing',
      base: { slopeBytes: 3600 },
      head: { slopeBytes: 3610 },
      heapDiffs: [headHeap],
    });
    const warn = renderMarkdownReport({ commentKey: 'k', reports: [preExisting] });
    expect(warn).toContain('## ⚠️ pre-existing leak: head retains +3.5 KiB per request, base +3.5 KiB');
    expect(warn).toContain(
      '- **Next step:** Not introduced by this change: fix the existing leak in <code>Map</code> (<code>defaultsByInstance</code>) in contentful-sdk-core.',
    );
    expect(warn).toMatch(/- \*\*Cost:\*\* ≈ 12\.4 MiB\/hour at 1 req\/s/);
  });

  it('leads an error with which sides failed, the first error line and the fix; no empty tables', () => {
    const log =
      "node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module '/app/srever.js'\n    at Module._resolveFilename";
    const failure = {
      code: 'START_FAILED' as const,
      message: 'the app exited before it was ready',
      hint: 'Check `start-command`: the file it runs must exist.',
      logTail: log,
    };
    const report = buildReport({
      verdict: 'error',
      base: { slopeBytes: 0, error: failure, sampleCount: 0 },
      head: { slopeBytes: 0, error: failure, sampleCount: 0 },
      dependencyChanges: [contentfulBump],
    });
    const noLoad = {
      requests: 0,
      durationMs: 0,
      requestsPerSecond: 0,
      latencyP50Ms: 0,
      latencyP99Ms: 0,
    };
    const body = renderMarkdownReport({
      commentKey: 'k',
      reports: [
        {
          ...report,
          base: { ...report.base, load: noLoad, traffic: undefined },
          head: { ...report.head, load: noLoad, traffic: undefined },
        },
      ],
    });
    expect(body).toContain(
      '## 💥 could not measure: base and head failed to start · <code>contentful-sdk-core</code>',
    );
    expect(body).toContain(
      '- **Cause:** base and head failed to start: <code>Error&#58; Cannot find module &#39;/app/srever&#8203;.js&#39;</code> (head log)',
    );
    expect(body).toContain('- **Fix:** Check &#96;start-command&#96;&#58; the file it runs must exist.');
    expect(body).toContain('<details open>\n<summary>Log tail</summary>');
    expect(body).not.toMatch(/n\/a|retained per request \||Other metrics|```mermaid|\| Load|\*\*Traffic/);
    expect(body).toContain('5,000 requests planned, not run');
    expect(body).not.toContain('(planned 5,000)');
  });

  it('leads failing traffic with the side, its status and share, and shows each side in one line, inert', () => {
    const hostileBody = '</code><img src=x onerror=alert(1)> **bold** | cell';
    const report = buildReport({
      verdict: 'error',
      base: { slopeBytes: 0 },
      head: {
        slopeBytes: 0,
        traffic: {
          ...allAnswered(15_000),
          statuses: { 200: 9000, 500: 6000 },
          statusClasses: { '2xx': 9000, '5xx': 6000 },
          failedStatuses: { 500: 6000 },
          failed: 6012,
          connectionErrors: 12,
          templates: [
            {
              method: 'GET',
              path: '/',
              sent: 9000,
              answered: 9000,
              statuses: { 200: 9000 },
              connectionErrors: 0,
              timeouts: 0,
              failed: 0,
            },
            {
              method: 'GET',
              path: '/<b>x</b>/{{seq}}',
              sent: 6012,
              answered: 6000,
              statuses: { 500: 6000 },
              connectionErrors: 12,
              timeouts: 0,
              failed: 6012,
            },
          ],
          firstFailure: { method: 'GET', path: '/<b>x</b>/3', status: 500, bodyStart: hostileBody },
        },
        error: {
          code: 'REQUESTS_FAILED',
          message: 'head answers 500 to 40 % of requests, base to 0 % (6,012 of 15,000 failed; …)',
          hint: 'Measure routes that work.',
        },
      },
    });
    const html = toHtml(renderMarkdownReport({ commentKey: 'default', reports: [report] }));
    expect(html).toContain(
      '<h2>💥 could not measure: head answers 500 to 40 % of requests, base to 0 % (REQUESTS_FAILED)</h2>',
    );
    expect(html).toContain('<strong>Fix:</strong> Measure routes that work.');
    expect(html).toContain('<li><strong>Base:</strong> 15,000 requests, 100 % succeeded (200 ×15,000)');
    expect(html).toContain(
      '<strong>Head:</strong> 15,000 requests, 60 % succeeded (200 ×9,000, 500 ×6,000, connection errors ×12)',
    );
    expect(html).toContain(
      '<code>GET /&lt;b&gt;x&lt;/b&gt;/{{seq}}: 6,012 of 6,012 requests failed (500 ×6,000, connection errors ×12)</code>',
    );
    expect(html).toMatch(
      /first failure: <code>GET \/&lt;b&gt;x&lt;\/b&gt;\/3<\/code> answered 500: <code>&lt;\/code&gt;/,
    );
    expect(html).not.toMatch(/<img|<b>x|<strong>bold/);
  });

  it('counts the failed requests in the load table from what the app answered', () => {
    const failing = { ...allAnswered(15_000), statuses: { 200: 14_990, 404: 10 }, failed: 10 };
    const html = toHtml(
      renderMarkdownReport({
        commentKey: 'default',
        reports: [
          buildReport({
            verdict: 'unchanged',
            base: { slopeBytes: 1 },
            head: { slopeBytes: 1, traffic: failing },
          }),
        ],
      }),
    );
    const load = html.match(/<table>[\s\S]*?<\/table>/g)?.find((table) => table.includes('Failed')) ?? '';
    expect(load).toMatch(
      /<td align="left">Base<\/td>\s*<td align="right">15,000<\/td>\s*<td align="right">0<\/td>/,
    );
    expect(load).toMatch(
      /<td align="left">Head<\/td>\s*<td align="right">15,000<\/td>\s*<td align="right">10<\/td>/,
    );
    expect(html).toContain(
      '<strong>Head:</strong> 15,000 requests, &gt; 99.9 % succeeded (200 ×14,990, 404 ×10)',
    );
  });

  it('headlines a skipped run and a run that failed before measuring', () => {
    const skipped = renderMarkdownReport({
      commentKey: 'k',
      reports: [],
      skipped: { reason: 'No dependency changed.' },
    });
    expect(skipped).toContain('## ⏭️ leakwatch skipped: No dependency changed.');

    const failed = renderMarkdownReport({
      commentKey: 'k',
      reports: [],
      error: {
        code: 'BUILD_FAILED',
        message: 'npm run build exited with 1',
        hint: 'Fix the build',
        logTail: 'compiling\nError: oops',
      },
    });
    expect(failed).toContain('## 💥 could not measure: npm run build exited with 1');
    expect(failed).toContain('- **Cause:** <code>BUILD&#95;FAILED</code>: <code>Error&#58; oops</code>');
    expect(failed).toContain('- **Fix:** Fix the build');
    expect(toHtml(failed)).toContain('<pre>compiling\nError: oops</pre>');
  });

  it('writes the job summary as the full detail, every section open, and links to it from the comment', () => {
    const input = { commentKey: 'k', reports: [regression()], runUrl: 'https://x.test/run/1' };
    const comment = renderMarkdownReport(input);
    const summary = renderJobSummary(input);
    expect(comment).toContain('[full report in the job summary](https://x.test/run/1)');
    expect(summary).not.toContain('<!-- leakwatch:');
    expect(summary).not.toContain('job summary](');
    expect(summary).toContain('[workflow run](https://x.test/run/1)');
    expect(summary).not.toMatch(/<details>/);
    expect(summary).toContain('<details open>\n<summary>Settings, versions and runner</summary>');
    // Every folded heap row: the comment stops at 5.
    expect(count(summary, '\n| <code>')).toBeGreaterThan(count(comment, '\n| <code>'));
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
    expect(body).toContain('## <code>c</code> (1 of 3 scenarios): ❌ +3.9 KiB retained per request');
    expect(body).toContain('### <code>b</code>: ⚠️ pre-existing leak');
    expect(count(body, '```mermaid')).toBe(3);
    // Decisive, other metrics + load and (collapsed) settings per scenario; no package changed.
    expect(count(toHtml(body), '<table>')).toBe(3 * 4);
  });

  it('renders the load and package tables as real GFM tables', () => {
    const html = toHtml(renderMarkdownReport({ commentKey: 'default', reports: [regression()] }));
    const tables = html.match(/<table>[\s\S]*?<\/table>/g) ?? [];
    const load = tables.find((table) => table.includes('p50 / p99')) ?? '';
    const packages = tables.find((table) => table.includes('Package')) ?? '';
    expect(count(load, '<tr>')).toBe(3);
    expect(load).toContain('1,250/s');
    expect(load).not.toContain('Stopped');
    expect(packages).toContain('<td><code>contentful-sdk-core</code></td>');
    expect(packages).toContain('<td>downgrade, direct</td>');
  });

  it('takes the headline’s emoji from the comparison when base leaks a little and head far more', () => {
    const report = buildReport({
      verdict: 'regression',
      base: { slopeBytes: 53, verdict: 'leak' },
      head: { slopeBytes: 4600, verdict: 'leak' },
    });
    const body = renderMarkdownReport({ commentKey: 'default', reports: [report] });
    expect(body).toContain('## ❌ +4.4 KiB retained per request');
    expect(body).not.toContain('⚠️');
  });

  it('draws base and head on shared request counts in a mermaid xychart', () => {
    const body = renderMarkdownReport({ commentKey: 'default', reports: [regression()] });
    const chart = body.match(/```mermaid\n([\s\S]*?)\n```/)?.[1] ?? '';
    expect(chart).toContain('\nxychart-beta\n');
    const categories =
      chart.match(/x-axis "requests sent \(warm-up excluded\)" \[(.*)\]/)?.[1]?.split(', ') ?? [];
    const lines = [...chart.matchAll(/line \[(.*)\]/g)].map(
      (match) => match[1]?.split(', ').map(Number) ?? [],
    );
    expect(categories).toHaveLength(12);
    expect(lines).toHaveLength(2);
    const [base = [], head = []] = lines;
    expect(base).toHaveLength(12);
    expect(head).toHaveLength(12);
    const [, low = 0, high = 0] = chart.match(/y-axis "MiB" (-?\d+) --> (\d+)/)?.map(Number) ?? [];
    // Each line starts at its side's first measured sample.
    expect([base[0], head[0]]).toEqual([0, 0]);
    for (const value of [...base, ...head]) {
      expect(value).toBeGreaterThanOrEqual(low);
      expect(value).toBeLessThanOrEqual(high);
    }
    // 12 KB/request over ~9,500 requests is ~110 MB of growth; the base line stays flat.
    expect((head.at(-1) ?? 0) - (head[0] ?? 0)).toBeGreaterThan(100);
    expect((base.at(-1) ?? 0) - (base[0] ?? 0)).toBeLessThan(2);
  });

  it('leaves warm-up and settle samples out of the chart', () => {
    const report = regression();
    const warm = { ...report.head.samples[0], requestsSent: 100, phase: 'warmup' as const, heapUsedBytes: 1 };
    const settle = { ...report.head.samples.at(-1), phase: 'settle' as const, heapUsedBytes: 1 };
    const samples = [warm, ...report.head.samples, settle] as typeof report.head.samples;
    const series = resampleSides(report.base.samples, samples);
    expect(series?.requestCounts[0]).toBe(5000);
    expect(series?.headMb.every((value) => value >= 0)).toBe(true);
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
      finding: {
        rule: 'side-error',
        side: 'head',
        code: 'START_FAILED',
        message: '</details><img src=x onerror=alert(2)>',
      },
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
    expect(count(html, '<details>')).toBe(4);
    expect(count(html, '</details>')).toBe(4);
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
    expect(compact).not.toMatch(/Settings, versions|Other metrics|Log tails/);

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
    expect(count(summary, '\n- <code>s')).toBe(200);
    // 200 scenario lines and the headline.
    expect(count(summary, ': ✅ +1 B retained per request')).toBe(201);

    for (const maxChars of [2000, 600, 300]) {
      const short = renderMarkdownReport({ commentKey: 'k', reports: [withLogs], maxChars });
      expect(short.length).toBeLessThanOrEqual(maxChars);
      expect(short.startsWith('<!-- leakwatch:k -->')).toBe(true);
      expect(short).toMatch(/^## ❌ /m);
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
    expect(body).toContain('[full report in the job summary](https://x.test/run/1)');
  });
});
