// Untrusted text in the comment, the job summary and the check run can neither mention, reference an issue nor
// link, also after entity decoding. GitHub finds mentions and references in the text of the rendered HTML, so
// each body is checked three ways: as markdown, as the text micromark (GFM) renders, and with every character
// reference decoded until nothing changes.

import { decodeNamedCharacterReference } from 'decode-named-character-reference';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/model/report.js';
import { renderJobSummary, renderMarkdownReport } from '../../src/report/markdown.js';
import { allAnswered, buildReport } from './build-report.js';

const HOSTILE = [
  '@admin',
  '@acme/security-team',
  '#123',
  'GH-42',
  'acme/shop#7',
  'www.evil.com',
  'evil.com/login',
  'https://evil.com/x',
  'mailto:someone@evil.com',
  '&#64;admin',
  '&commat;admin',
  '&#x40;admin',
  '&#35;99',
  '&amp;#64;admin',
  '[x](https://evil.com)',
  '<a href="https://evil.com">x</a>',
  '![x](https://evil.com/x.png)',
].join(' ');
const RUN_URL = 'https://github.com/acme/shop/actions/runs/1';

/** What a reader, or GitHub's mention and reference filters, could find in a text. */
const LIVE = [
  /@[\p{L}\p{N}_-]/u,
  /#\d/,
  /\bGH-\d/i,
  /www\./i,
  /\p{L}:\/\//u,
  /\bevil\.com\b/,
  /&(#\d+|#x[\da-f]+|[a-z]+);/i,
];

function decodeAll(text: string): string {
  let decoded = text;
  for (;;) {
    const next = decoded.replace(/&(#x[\da-f]+|#\d+|[a-z]+);/gi, (whole, reference: string) => {
      if (reference.startsWith('#x')) return String.fromCodePoint(Number.parseInt(reference.slice(2), 16));
      if (reference.startsWith('#')) return String.fromCodePoint(Number(reference.slice(1)));
      const named = decodeNamedCharacterReference(reference);
      return named === false ? whole : named;
    });
    if (next === decoded) return decoded;
    decoded = next;
  }
}

function html(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/**
 * Live text found where GitHub looks for it: in the rendered HTML's text, and in the markdown, each with every
 * character reference decoded (until nothing changes). The trusted run link and the chart's colours are taken out first.
 */
function liveParts(markdown: string): string[] {
  const rendered = html(markdown);
  const trusted = (text: string) =>
    text
      .replaceAll(RUN_URL, '')
      .replace(/```mermaid[\s\S]*?```|<code class="language-mermaid">[\s\S]*?<\/code>/g, '');
  const text = trusted(rendered).replace(/<[^>]*>/g, ' ');
  const views = { decoded: decodeAll(text), decodedMarkdown: decodeAll(trusted(markdown)) };
  const found: string[] = [];
  for (const [view, content] of Object.entries(views)) {
    for (const pattern of LIVE) {
      const match = content.match(pattern);
      if (match) found.push(`${view}: ${pattern} at …${content.slice(match.index, (match.index ?? 0) + 30)}`);
    }
  }
  const anchors = rendered.match(/<a [^>]*>/g) ?? [];
  for (const anchor of anchors) if (!anchor.includes(RUN_URL)) found.push(`link: ${anchor}`);
  if (/<img|<script/i.test(rendered)) found.push('an image or script');
  return found;
}

function hostileReport(): CompareReport {
  const report = buildReport({
    verdict: 'regression',
    base: { slopeBytes: 1 },
    head: {
      slopeBytes: 9e3,
      exit: { kind: 'crash', code: 1, signal: null, requestsSent: 10, logTail: `${HOSTILE}\n${HOSTILE}` },
      traffic: {
        ...allAnswered(100),
        failed: 1,
        firstFailure: { method: 'GET', path: `/${HOSTILE}`, status: 500, bodyStart: HOSTILE },
      },
    },
    scenarioName: HOSTILE,
    finding: { rule: 'side-error', side: 'head', code: 'START_FAILED', message: HOSTILE },
    dependencyChanges: [
      { name: HOSTILE, from: HOSTILE, to: '2.0.0', kind: 'major', direct: true },
      { name: '@evil/pkg', from: '1.0.0', to: 'https://evil.com/pkg.tgz', kind: 'major', direct: false },
    ],
  });
  report.head.network = {
    outbound: 'block',
    stubs: [],
    hosts: [{ host: 'www.evil.com:443', action: 'blocked', connections: 3 }],
  };
  return report;
}

describe('untrusted text is inert', () => {
  it('in the comment, the job summary and a check-sized body of a regression', () => {
    const input = { commentKey: 'default', reports: [hostileReport()], runUrl: RUN_URL };
    for (const body of [
      renderMarkdownReport(input),
      renderJobSummary(input),
      renderMarkdownReport({ ...input, maxChars: 2000 }),
    ]) {
      expect(body).toContain('evil');
      expect(liveParts(body)).toEqual([]);
    }
  });

  it('in a report whose side failed with a hostile message', () => {
    const report = buildReport({
      verdict: 'error',
      base: { slopeBytes: 0 },
      head: {
        slopeBytes: 0,
        error: { code: 'START_FAILED', message: HOSTILE, hint: HOSTILE, logTail: HOSTILE },
      },
      finding: { rule: 'side-error', side: 'head', code: 'START_FAILED', message: HOSTILE },
      dependencyChanges: [{ name: HOSTILE, from: '1.0.0', to: '2.0.0', kind: 'major', direct: true }],
    });
    const input = { commentKey: 'default', reports: [report], runUrl: RUN_URL };
    for (const body of [renderMarkdownReport(input), renderJobSummary(input)]) {
      expect(liveParts(body)).toEqual([]);
    }
  });

  it('in an error comment: message, hint and log tail', () => {
    const body = renderMarkdownReport({
      commentKey: 'default',
      reports: [],
      error: { code: 'INSTALL_FAILED', message: HOSTILE, hint: HOSTILE, logTail: `npm ERR! ${HOSTILE}` },
      runUrl: RUN_URL,
    });
    expect(body).toContain('<pre>');
    expect(liveParts(body)).toEqual([]);
  });

  it('still reads the same: the breaks are invisible and the text survives', () => {
    const body = renderMarkdownReport({
      commentKey: 'default',
      reports: [],
      error: { code: 'START_FAILED', message: '@scope/pkg 1.2.3 www.example.com #1' },
    });
    const visible = decodeAll(html(body).replace(/<[^>]*>/g, '')).replaceAll('\u200b', '');
    expect(visible).toContain('@scope/pkg 1.2.3 www.example.com #1');
  });

  it('the checks themselves catch live text (a plain body is not inert)', () => {
    expect(liveParts(`hello ${HOSTILE}`).length).toBeGreaterThan(5);
    expect(liveParts('ping &#64;admin')).not.toEqual([]);
  });
});
