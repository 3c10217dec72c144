// Newline-delimited JSON spoken between the probe (inside the app) and the harness (leakwatch).

/** Env variable that carries the harness's unix socket path into the app; absent means the probe stays inert. */
export const probeSocketEnv = 'LEAKWATCH_PROBE_SOCKET';

/** Env variable that carries the port leakwatch gave the app (as PORT), which the app's first server is held to. */
export const appPortEnv = 'LEAKWATCH_APP_PORT';

/** Env variable that carries the outbound rules (JSON NetworkRules) into the app; absent means no rules. */
export const networkRulesEnv = 'LEAKWATCH_NETWORK';

export interface NetworkRules {
  /** What happens to a connection to a non-loopback host that no stub claims. */
  outbound: 'block' | 'allow';
  /** `hostname:port` (lower case) → the loopback port of the stub that answers for it. */
  routes: Record<string, { port: number; upstream: string }>;
}

/** Outbound connections of one process to one non-loopback `hostname:port`. */
export interface OutboundCount {
  host: string;
  action: 'stub' | 'blocked' | 'allowed';
  /** The stub's name, for action `stub`. */
  upstream?: string;
  connections: number;
}

export interface ProbeMemory {
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  rssBytes: number;
  v8UsedHeapBytes: number;
  requestsSeen: number;
  activeResources: Record<string, number>;
  /** Entries of /proc/self/fd; null where it does not exist. */
  openFds: number | null;
}

export type HarnessCommand = { type: 'sample'; id: number } | { type: 'snapshot'; id: number; path: string };

export type ProbeMessage =
  | { type: 'hello'; pid: number; ppid: number; nodeVersion: string; gcSource: 'flag' | 'vm' }
  | { type: 'heartbeat'; rssBytes: number; requestsSeen: number; outbound: OutboundCount[] }
  | { type: 'sample'; id: number; memory: ProbeMemory; outbound: OutboundCount[] }
  | { type: 'snapshot'; id: number; path: string }
  | { type: 'failure'; id: number; message: string };
