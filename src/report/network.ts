// What each side's outbound traffic was: requests per upstream stub, and the non-loopback hosts the app
// connected to, blocked or let through. Plain text, a part of each side's traffic line (report/traffic.ts); the
// comment escapes it (hosts come from the app, which is untrusted).

import type { OutboundHost, SideResult, StubTraffic } from '../model/report.js';
import { formatInteger } from '../model/units.js';

const maxHostsShown = 5;

/** `api.stripe.com:443` → `api.stripe.com`: the port only when it is not the usual one. */
export function displayHost(host: string): string {
  return host.replace(/:(443|80)$/, '');
}

/** "stubs: pokeapi 812 requests (812 from fixtures, 0 missed) · blocked: api.stripe.com ×812", or null when there was no outbound traffic to tell. */
export function describeNetwork(side: SideResult): string | null {
  const network = side.network;
  if (!network) return null;
  const parts: string[] = [];
  if (network.stubs.length > 0) parts.push(`stubs: ${network.stubs.map(describeStub).join(', ')}`);
  for (const action of ['blocked', 'allowed'] as const) {
    const hosts = network.hosts.filter((host) => host.action === action);
    if (hosts.length > 0) parts.push(`${action}: ${listHosts(hosts)}`);
  }
  if (network.outbound === 'allow') parts.push('outbound: allow (real traffic left the machine)');
  return parts.length > 0 ? parts.join(' · ') : null;
}

const sourceWords: Record<StubTraffic['source'], string> = {
  fixtures: 'from fixtures',
  shape: 'from its shape',
  template: 'from its template',
  echo: 'echoed',
  synthetic: 'synthetic',
  record: 'recorded',
};

/** `pokeapi 812 requests (800 from fixtures, 12 missed)`: a miss is a request no fixture matched (a 404). */
function describeStub(stub: StubTraffic): string {
  const requests = `${stub.name} ${formatInteger(stub.requests)} requests`;
  if (stub.source === 'record') return requests;
  const missed = stub.source === 'fixtures' ? `, ${formatInteger(stub.misses)} missed` : '';
  return `${requests} (${formatInteger(stub.answered)} ${sourceWords[stub.source]}${missed})`;
}

/** Hosts with their connection counts, most first: "api.stripe.com ×812, sentry.io ×3 and 2 more". */
export function listHosts(hosts: readonly OutboundHost[]): string {
  const shown = hosts
    .slice(0, maxHostsShown)
    .map((host) => `${displayHost(host.host)} ×${formatInteger(host.connections)}`)
    .join(', ');
  return hosts.length > maxHostsShown ? `${shown} and ${hosts.length - maxHostsShown} more` : shown;
}
