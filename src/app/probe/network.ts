// The probe's hold on the app's outbound network. Every TCP connection in Node, from global fetch (undici
// calls net.connect / tls.connect) and from node:http/https agents (axios, got, node-fetch), ends in
// net.Socket.prototype.connect. There the destination of a host a stub claims becomes the stub's loopback port,
// a non-loopback host nobody claims is refused (as an unreachable network would be), and the rest passes.
// Only the destination changes: the app's own client, agent and TLS code still run, so their leaks stay
// measurable.
// Default imports: the module objects themselves, whose functions the bundle's namespace copies would not patch.
import dns from 'node:dns';
import net from 'node:net';
import { type NetworkRules, networkRulesEnv, type OutboundCount } from './protocol.js';

type ConnectArgs = Parameters<net.Socket['connect']>;
type ConnectOptions = net.TcpSocketConnectOpts & { path?: string };

const maxHostsCounted = 200;

/**
 * Installs the rules from the env, if any; returns the per-host counts the probe reports. `onFirstBlock` hears
 * of each host the first time it is blocked (a build, which has no harness to report to, logs it).
 */
export function installNetworkRules(onFirstBlock?: (host: string) => void): () => OutboundCount[] {
  const raw = process.env[networkRulesEnv];
  if (!raw) return () => [];
  const rules = JSON.parse(raw) as NetworkRules;
  const counts = new Map<string, OutboundCount>();
  const count = (host: string, action: OutboundCount['action'], upstream?: string) => {
    const entry = counts.get(host);
    if (entry) entry.connections += 1;
    else if (counts.size < maxHostsCounted)
      counts.set(host, { host, action, connections: 1, ...(upstream ? { upstream } : {}) });
  };

  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
    const [options, callback] = readConnectArgs(args);
    // A truthy path is a unix socket or pipe (http passes `path: null` for TCP).
    if (!options || options.path) return originalConnect.apply(this, args as ConnectArgs);
    const hostname = (options.host ?? 'localhost').toLowerCase().replace(/^\[|\]$/g, '');
    const host = `${hostname}:${options.port}`;
    // Routes first: a declared origin may be on loopback (a local service, a test's stand-in origin).
    const route = rules.routes[host];
    if (route) {
      count(host, 'stub', route.upstream);
      const rerouted = { ...options, host: '127.0.0.1', port: route.port, family: 4, lookup: undefined };
      return (originalConnect as (...args: unknown[]) => net.Socket).call(this, rerouted, callback);
    }
    if (isLoopback(hostname)) return originalConnect.apply(this, args as ConnectArgs);
    if (rules.outbound === 'allow') {
      count(host, 'allowed');
      return originalConnect.apply(this, args as ConnectArgs);
    }
    if (!counts.has(host)) onFirstBlock?.(host);
    count(host, 'blocked');
    const error = Object.assign(
      new Error(
        `connect ENETUNREACH ${host} (leakwatch blocks outbound connections no upstream stub claims)`,
      ),
      { code: 'ENETUNREACH', errno: -101, syscall: 'connect', address: hostname, port: options.port },
    );
    process.nextTick(() => this.destroy(error));
    return this;
  } as typeof net.Socket.prototype.connect;

  rerouteLookups(new Set(Object.keys(rules.routes).map((host) => host.replace(/:\d+$/, ''))));
  return () => [...counts.values()].map((entry) => ({ ...entry }));
}

/** The forms connect takes: (options, cb), (port, host, cb), (path, cb), and net's pre-normalized [options, cb]. */
function readConnectArgs(args: unknown[]): [ConnectOptions | undefined, (() => void) | undefined] {
  const [first, second, third] = args;
  const callback = [second, third].find((value) => typeof value === 'function') as (() => void) | undefined;
  if (Array.isArray(first)) return [first[0] as ConnectOptions, first[1] as (() => void) | undefined];
  if (first !== null && typeof first === 'object') return [first as ConnectOptions, callback];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return [{ port: Number(first), host: typeof second === 'string' ? second : undefined }, callback];
  }
  return [undefined, undefined];
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '::1' ||
    hostname === '0.0.0.0' ||
    /^(::ffff:)?127\./.test(hostname)
  );
}

/**
 * A rerouted name resolves to loopback without asking a DNS server, for clients that look names up themselves
 * (connect-time lookups never happen: the destination is an address by then).
 */
function rerouteLookups(hostnames: ReadonlySet<string>): void {
  if (hostnames.size === 0) return;
  const isRerouted = (hostname: unknown) => hostnames.has(String(hostname).toLowerCase());
  for (const [family, address] of [
    ['resolve4', '127.0.0.1'],
    ['resolve6', '::1'],
  ] as const) {
    for (const target of [dns, dns.Resolver.prototype] as Record<string, unknown>[]) {
      const original = target[family] as (...args: unknown[]) => void;
      target[family] = function (this: unknown, hostname: string, ...rest: unknown[]) {
        if (!isRerouted(hostname)) return original.call(this, hostname, ...rest);
        const done = rest.find((value) => typeof value === 'function') as (...args: unknown[]) => void;
        process.nextTick(() => done(null, [address]));
      };
    }
    for (const target of [dns.promises, dns.promises.Resolver.prototype] as Record<string, unknown>[]) {
      const original = target[family] as (...args: unknown[]) => Promise<unknown>;
      target[family] = function (this: unknown, hostname: string, ...rest: unknown[]) {
        return isRerouted(hostname) ? Promise.resolve([address]) : original.call(this, hostname, ...rest);
      };
    }
  }
  const loopback = (all: boolean) => (all ? [{ address: '127.0.0.1', family: 4 }] : '127.0.0.1');
  const wantsAll = (options: unknown) =>
    typeof options === 'object' && options !== null && 'all' in options && Boolean(options.all);
  const originalLookup = dns.lookup;
  const lookup = (hostname: string, options: unknown, callback?: unknown) => {
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    if (!hostnames.has(String(hostname).toLowerCase()))
      return (originalLookup as (...args: unknown[]) => void)(hostname, options, callback);
    const all = wantsAll(options);
    process.nextTick(() => done(null, loopback(all), ...(all ? [] : [4])));
  };
  (dns as { lookup: unknown }).lookup = lookup;
  const originalPromise = dns.promises.lookup;
  (dns.promises as { lookup: unknown }).lookup = async (hostname: string, options?: unknown) => {
    if (!hostnames.has(String(hostname).toLowerCase()))
      return (originalPromise as (...args: unknown[]) => Promise<unknown>)(hostname, options);
    return wantsAll(options) ? loopback(true) : { address: '127.0.0.1', family: 4 };
  };
}
