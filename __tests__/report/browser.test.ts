// The comments as a reviewer sees them: GitHub's markdown CSS, mermaid, Chromium at 760 px. What decides the
// review (the headline with the delta, the package, the cost, an error's cause and fix) must be on screen
// without scrolling, the charts must parse, and no table may be wider than the page.
// Screenshots land in test-artifacts/comments/ (CI uploads them).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/model/report.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { errorExample, failExample, passExample, preExistingExample } from './example-reports.js';

const require = createRequire(import.meta.url);
const screenshotDir = join(import.meta.dirname, '..', '..', 'test-artifacts', 'comments');
const chromiumPath = '/usr/bin/chromium';
const pageWidth = 760;
const foldPx = 600;

function pageHtml(markdown: string): string {
  // GitHub turns ```mermaid fences into diagrams; a div the mermaid bundle renders does the same here.
  const body = micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  }).replace(
    /<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g,
    '<div class="mermaid-source">$1</div>',
  );
  return `<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0;background:#fff"><article class="markdown-body" style="box-sizing:border-box;width:${pageWidth}px;padding:16px">${body}</article></body></html>`;
}

interface Rendered {
  charts: { ok: boolean; error?: string }[];
  tables: { width: number; visible: number }[];
  articleWidth: number;
}

async function render(page: Page, markdown: string, name: string): Promise<Rendered> {
  await page.setContent(pageHtml(markdown));
  await page.addStyleTag({ path: require.resolve('github-markdown-css/github-markdown-light.css') });
  await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
  const charts = await page.evaluate(async () => {
    const mermaid = (window as unknown as { mermaid: MermaidApi }).mermaid;
    mermaid.initialize({ startOnLoad: false });
    const results: { ok: boolean; error?: string }[] = [];
    for (const [index, element] of [...document.querySelectorAll('.mermaid-source')].entries()) {
      const source = element.textContent ?? '';
      try {
        await mermaid.parse(source);
        const { svg } = await mermaid.render(`chart-${index}`, source);
        element.innerHTML = svg;
        results.push({ ok: true });
      } catch (error) {
        results.push({ ok: false, error: String(error) });
      }
    }
    return results;
  });
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
  return page
    .evaluate(() => ({
      charts: [],
      articleWidth: document.querySelector('article')?.clientWidth ?? 0,
      tables: [...document.querySelectorAll('table')].map((table) => ({
        width: table.scrollWidth,
        visible: table.clientWidth,
      })),
    }))
    .then((layout) => ({ ...layout, charts }));
}

interface MermaidApi {
  initialize: (config: object) => void;
  parse: (text: string) => Promise<unknown>;
  render: (id: string, text: string) => Promise<{ svg: string }>;
}

/** The bottom edge (px from the top of the page) of the first element whose text matches. */
async function bottomOf(page: Page, selector: string, pattern: RegExp): Promise<number | null> {
  const matches = page.locator(selector).filter({ hasText: pattern });
  if ((await matches.count()) === 0) return null;
  const box = await matches.first().boundingBox();
  return box ? box.y + box.height : null;
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: pageWidth, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
});

const costAt1 = /^Cost: ≈ [\d.]+ MiB\/hour at 1 req\/s; a 256 MiB heap fills in ~\d+ (h|min|days)/;
const comments: [string, () => CompareReport, RegExp, RegExp][] = [
  [
    'fail',
    failExample,
    /^❌ \+3\.6 KiB retained per request \(±0\.04, 95 % CI\) · contentful-sdk-core 6\.4\.5 → 6\.4\.4/,
    costAt1,
  ],
  [
    'pass-removes-leak',
    passExample,
    /^✅ -3\.5 KiB retained per request \(±0\.04, 95 % CI\) · contentful-sdk-core/,
    /^Cost: Saves ≈ [\d.]+ MiB\/hour at 1 req\/s/,
  ],
  [
    'pre-existing',
    preExistingExample,
    /^⚠️ pre-existing leak: head retains \+3\.5 KiB per request, base \+3\.5 KiB · ms/,
    costAt1,
  ],
];

describe('the comment in Chromium with GitHub’s CSS at 760 px', () => {
  it.each(comments)(
    '%s: headline with the delta, the package and the cost above the fold',
    async (name, build, headline, cost) => {
      const markdown = renderMarkdownReport({
        commentKey: 'default',
        reports: [build()],
        runUrl: 'https://github.com/o/r/actions/runs/1',
      });
      const rendered = await render(page, markdown, name);
      expect(await page.locator('h2').first().innerText()).toMatch(headline);
      expect(await bottomOf(page, 'h2', headline)).toBeLessThanOrEqual(foldPx);
      expect(await bottomOf(page, 'li', cost)).toBeLessThanOrEqual(foldPx);
      expect(await bottomOf(page, 'li', /^Next step: /)).toBeLessThanOrEqual(foldPx);
      expect(rendered.charts.length).toBeGreaterThan(0);
      for (const chart of rendered.charts) expect(chart.ok, chart.error).toBe(true);
      expect(await page.locator('svg[aria-roledescription="xychart"]').count()).toBe(rendered.charts.length);
      for (const table of rendered.tables) expect(table.width).toBeLessThanOrEqual(table.visible);
      expect(rendered.tables.length).toBeGreaterThan(0);
    },
  );

  it('error: which sides failed, the first error line and the fix above the fold; no tables, the log open', async () => {
    const markdown = renderMarkdownReport({ commentKey: 'default', reports: [errorExample()] });
    const rendered = await render(page, markdown, 'error');
    expect(await page.locator('h2').first().innerText()).toMatch(
      /^💥 could not measure: base and head failed to start · contentful-sdk-core 6\.4\.5 → 6\.4\.4/,
    );
    expect(
      await bottomOf(page, 'li', /^Cause: base and head failed to start: Error: Cannot find module/),
    ).toBeLessThanOrEqual(foldPx);
    expect(await bottomOf(page, 'li', /^Fix: Check `start-command`/)).toBeLessThanOrEqual(foldPx);
    expect(await page.locator('details[open] pre').first().isVisible()).toBe(true);
    expect(rendered.charts).toEqual([]);
    // The settings table sits collapsed; nothing else is a table, and no cell says n/a.
    expect(await page.locator('table:visible').count()).toBe(0);
    expect(await page.locator('article').innerText()).not.toMatch(/n\/a/);
  });
});
