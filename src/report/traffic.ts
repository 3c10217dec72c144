// What each side was measured on, in one line: requests, the share that succeeded, statuses and errors, then its
// outbound traffic (stub hits, blocked hosts).
import type { CompareReport, SideResult, TrafficCounts } from '../model/report.js';
import { formatInteger } from '../model/units.js';
import { escapeInline, inlineCode, plainText } from './escape.js';
import { describeNetwork } from './network.js';
import { wrapText } from './text-layout.js';

const maxStatusesShown = 4;

/** `99.9 %` style, never rounding a failure away: 1 failure in 15,000 reads `> 99.9 %`, not `100 %`. */
export function formatSucceededShare(traffic: TrafficCounts): string {
  if (traffic.requests === 0) return 'n/a';
  const percent = (100 * (traffic.requests - traffic.failed)) / traffic.requests;
  if (traffic.failed > 0 && percent > 99.9) return '> 99.9 %';
  if (traffic.failed < traffic.requests && percent < 0.1) return '< 0.1 %';
  return `${Number(percent.toFixed(percent >= 10 ? 0 : 1))} %`;
}

/** `200 ×14,990`, `404 ×10`, then connection errors and timeouts, most frequent first. */
export function formatStatuses(traffic: TrafficCounts): string {
  const statuses = Object.entries(traffic.statuses).sort((a, b) => b[1] - a[1]);
  const shown = statuses
    .slice(0, maxStatusesShown)
    .map(([status, count]) => `${status} ×${formatInteger(count)}`);
  if (statuses.length > maxStatusesShown) shown.push(`${statuses.length - maxStatusesShown} more`);
  if (traffic.connectionErrors > 0)
    shown.push(`connection errors ×${formatInteger(traffic.connectionErrors)}`);
  if (traffic.timeouts > 0) shown.push(`timeouts ×${formatInteger(traffic.timeouts)}`);
  return shown.length > 0 ? shown.join(', ') : 'no answers';
}

/** The parts of a side's traffic line, plain text; host names in the outbound part come from the app. */
export function trafficParts(side: SideResult): string[] {
  const { traffic } = side;
  const network = describeNetwork(side);
  return [
    traffic
      ? `${formatInteger(traffic.requests)} requests, ${formatSucceededShare(traffic)} succeeded (${formatStatuses(traffic)})`
      : 'no requests sent',
    ...(network ? [network] : []),
  ];
}

/** Templates that had failing requests, as `GET /missing/{{seq}}: 3,000 of 3,000 requests failed (404 ×3,000)`. */
export function failingTemplates(traffic: TrafficCounts): string[] {
  return traffic.templates
    .filter((template) => template.failed > 0)
    .map((template) => {
      const statuses = Object.entries(template.statuses)
        .sort((a, b) => b[1] - a[1])
        .slice(0, maxStatusesShown)
        .map(([status, count]) => `${status} ×${formatInteger(count)}`);
      if (template.connectionErrors > 0)
        statuses.push(`connection errors ×${formatInteger(template.connectionErrors)}`);
      if (template.timeouts > 0) statuses.push(`timeouts ×${formatInteger(template.timeouts)}`);
      return `${template.method} ${template.path}: ${formatInteger(template.failed)} of ${formatInteger(template.sent)} requests failed (${statuses.join(', ')})`;
    });
}

/** The sides that sent requests or reached out: a side that never started has no traffic to tell. */
function sidesWithTraffic(sides: SideResult[]): SideResult[] {
  return sides.filter((side) => side.traffic || describeNetwork(side));
}

/** The first failing answer (or error) of a side; the request and the body are untrusted. */
function firstFailureText(
  traffic: TrafficCounts,
  format: { request: (text: string) => string; body: (text: string) => string },
): string | null {
  const failure = traffic.firstFailure;
  if (failure) {
    const body = failure.bodyStart.replace(/\s+/g, ' ').trim() || '(empty body)';
    return `first failure: ${format.request(`${failure.method} ${failure.path}`)} answered ${failure.status}: ${format.body(body)}`;
  }
  return traffic.firstError ? `first error: ${format.body(traffic.firstError)}` : null;
}

/** The terminal's traffic lines: one per side, then the requests that failed and the first failing answer. */
export function trafficTextLines(sides: SideResult[]): string[] {
  return sidesWithTraffic(sides).flatMap((side) => {
    const lines = wrapText(plainText(trafficParts(side).join('; '), 800), {
      first: `${side.label} traffic: `,
      rest: '  ',
    });
    if (!side.traffic) return lines;
    const failing = failingTemplates(side.traffic).slice(0, 5);
    const first = firstFailureText(side.traffic, {
      request: (text) => plainText(text, 300),
      body: (text) => JSON.stringify(plainText(text, 300)),
    });
    for (const line of [...failing, ...(first ? [first] : [])]) {
      lines.push(...wrapText(plainText(line, 800), { first: '  ', rest: '    ' }));
    }
    return lines;
  });
}

/**
 * The comment's traffic lines, one per side, with the requests that failed and the first failing answer under
 * it, and a mark when outbound traffic was allowed out. Scenario paths, hosts and the app's body are untrusted.
 */
export function renderTrafficList(report: CompareReport): string | null {
  const sides = sidesWithTraffic([report.base, report.head]);
  if (sides.length === 0) return null;
  const allow = report.plan.outbound === 'allow' ? ' — ⚠️ `outbound: allow`: requests reached real hosts' : '';
  const sideLines = sides.flatMap((side) => {
    const label = side.label === 'base' ? 'Base' : 'Head';
    const lines = [`- **${label}:** ${escapeInline(trafficParts(side).join('; '), 800)}`];
    if (!side.traffic) return lines;
    for (const line of failingTemplates(side.traffic).slice(0, 5)) lines.push(`  - ${inlineCode(line, 300)}`);
    const code = (text: string) => inlineCode(text, 300);
    const first = firstFailureText(side.traffic, { request: code, body: code });
    if (first) lines.push(`  - ${first}`);
    return lines;
  });
  return [`**Traffic**${allow}`, ...sideLines].join('\n');
}
