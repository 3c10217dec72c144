// A side's outbound traffic, read from its stubs (requests) and its probes (connections per host), and the
// check that every declared stub was used: a stub nobody calls means the app talked to something else, and the
// pages it rendered were not the ones the scenario meant to measure.
import type { RunningApp } from '../app/app.js';
import type { RunningUpstreams } from '../app/upstream/start.js';
import type { OutboundPolicy, SideNetwork, SideResult } from '../model/report.js';

/** "api.stripe.com ×812, sentry.io ×3" (the report renders its own, fuller lists). */
const listHosts = (hosts: SideNetwork['hosts']) =>
  hosts.map((host) => `${host.host.replace(/:(443|80)$/, '')} ×${host.connections}`).join(', ');

export async function readNetwork(
  upstreams: RunningUpstreams | undefined,
  app: RunningApp | null,
  outbound: OutboundPolicy,
): Promise<SideNetwork> {
  return {
    outbound,
    stubs: upstreams ? await upstreams.hits() : [],
    hosts: app?.hub.outbound ?? [],
  };
}

/** The UPSTREAM_UNUSED error when a declared stub received no request during `requests` requests, else null. */
export function unusedStubError(network: SideNetwork, requests: number): SideResult['error'] | null {
  const unused = network.stubs.filter((stub) => stub.requests === 0);
  if (unused.length === 0) return null;
  const described = unused.map((stub) => {
    const offered = [
      ...(stub.env ? [`its URL was offered in ${stub.env}, which the app does not seem to read`] : []),
      ...(stub.hosts.length > 0
        ? [`it answers for ${stub.hosts.join(', ')}, which the app never called`]
        : []),
    ];
    return `upstream "${stub.name}" got no request during ${requests} warm-up requests (${offered.join('; ')})`;
  });
  const called = network.hosts;
  const instead =
    called.length > 0
      ? `The app called instead: ${(['blocked', 'allowed', 'stub'] as const)
          .flatMap((action) => {
            const hosts = called.filter((host) => host.action === action);
            return hosts.length > 0
              ? [`${listHosts(hosts)} (${action === 'stub' ? 'other stubs' : action})`]
              : [];
          })
          .join('; ')}.`
      : 'The app made no outbound connection to a non-loopback host.';
  return {
    code: 'UPSTREAM_UNUSED',
    message: `${described.join('; ')}. ${instead}`,
    hint:
      'Name the origins the app calls in the upstream\'s hosts (e.g. hosts: ["https://api.example.com"]), or in env the ' +
      'variable the app reads its URL from; remove an upstream the app does not need. docs/scenarios.md#upstreams',
  };
}
