// The outbound lines of the terminal result and the comment: stub hits and blocked hosts per side, and a mark
// when outbound traffic was allowed out. Host names come from the app (untrusted): the comment escapes them.
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import type { SideNetwork } from '../../src/model/report.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { renderCompareText } from '../../src/report/terminal.js';
import { buildReport } from './build-report.js';

const network = (overrides: Partial<SideNetwork> = {}): SideNetwork => ({
  outbound: 'block',
  stubs: [
    {
      name: 'pokeapi',
      hosts: ['https://pokeapi.co'],
      requests: 15_000,
      source: 'fixtures',
      answered: 14_990,
      misses: 10,
      missedPaths: [{ path: '/api/v2/pokemon/mew', count: 10, file: 'api/v2/pokemon/mew.json' }],
    },
  ],
  hosts: [
    { host: 'pokeapi.co:443', action: 'stub', upstream: 'pokeapi', connections: 10 },
    { host: 'api.stripe.com:443', action: 'blocked', connections: 812 },
    { host: 'evil<img src=x>.test:8080', action: 'blocked', connections: 3 },
  ],
  ...overrides,
});

/** What a reader sees: GFM rendered as GitHub does, then decoded back to text. */
const rendered = (markdown: string) =>
  micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] })
    .replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '‹');

function withNetwork(side: SideNetwork, outbound: 'block' | 'allow' = 'block') {
  const report = buildReport({ verdict: 'unchanged', base: { slopeBytes: 10 }, head: { slopeBytes: 12 } });
  return {
    ...report,
    plan: { ...report.plan, outbound },
    base: { ...report.base, network: side },
    head: { ...report.head, network: side },
  };
}

describe('outbound traffic in the report', () => {
  it('shows stub hits and blocked hosts with counts, per side, in the terminal and the comment', () => {
    const report = withNetwork(network());
    // The terminal wraps at 100 columns; joined back, each side's line reads whole.
    expect(renderCompareText(report).replace(/\n +/g, ' ')).toContain(
      'base traffic: 15,000 requests, 100 % succeeded (200 ×15,000); stubs: pokeapi 15,000 requests (14,990 from fixtures, 10 missed) · blocked: api.stripe.com ×812, evil<img src=x>.test:8080 ×3',
    );
    const markdown = renderMarkdownReport({ commentKey: 'k', reports: [report] });
    expect(markdown).not.toContain('<img');
    const body = rendered(markdown);
    // One line per side: what the app answered, then where it reached out.
    expect(body).toMatch(
      /<li><strong>Base:<\/strong> 15,000 requests, 100 % succeeded \(200 ×15,000\); stubs: pokeapi 15,000 requests \(14,990 from fixtures, 10 missed\) · blocked: api\u200b\.stripe\u200b\.com ×812, evil/,
    );
    expect(body).not.toMatch(/outbound: allow/);
  });

  it('marks a run whose outbound traffic was allowed out', () => {
    const allowed = network({
      outbound: 'allow',
      hosts: [{ host: 'api.stripe.com:443', action: 'allowed', connections: 812 }],
    });
    const body = rendered(
      renderMarkdownReport({ commentKey: 'k', reports: [withNetwork(allowed, 'allow')] }),
    );
    expect(body).toContain('⚠️ <code>outbound: allow</code>: requests reached real hosts');
    // The hosts are the app's: broken with an invisible space so that they do not link.
    expect(body).toContain('allowed: api\u200b.stripe\u200b.com ×812');
  });
});
