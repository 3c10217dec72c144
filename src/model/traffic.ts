// What a side's app was asked and answered (per request template), and where its outbound traffic went.
import type { OutboundPolicy } from '../settings/table.js';

/** One request template of the scenario and what the app answered to it. */
export interface TemplateTraffic {
  method: string;
  /** The template as the scenario writes it, e.g. `/posts/{{seq}}`. */
  path: string;
  /** Requests sent from this template. */
  sent: number;
  answered: number;
  /** Answers by status code, e.g. `{ "200": 980, "404": 20 }`. */
  statuses: Record<string, number>;
  /** Requests that got no answer: the connection failed, or was closed before an answer. */
  connectionErrors: number;
  timeouts: number;
  /**
   * Answers the scenario does not expect (not 2xx or 3xx, or not in the template's `expectStatus`), connection
   * errors and timeouts.
   */
  failed: number;
}

/** The first answer that failed, to show what the app said. */
export interface FailedAnswer {
  method: string;
  /** The request's path and query, e.g. `/posts/17`. */
  path: string;
  status: number;
  /** The first 300 characters of the body. */
  bodyStart: string;
}

/** Every request sent to one side and how it ended. */
export interface TrafficCounts {
  /** Requests sent. */
  requests: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** Answers by status class: `2xx`, `4xx`, ... */
  statusClasses: Record<string, number>;
  /** Answers the scenario does not expect, by status code. */
  failedStatuses: Record<string, number>;
  /** Requests that never got an answer because the connection failed or was closed. */
  connectionErrors: number;
  timeouts: number;
  /** Unexpected answers, connection errors and timeouts. */
  failed: number;
  /** One entry per request template of the scenario, in its order. */
  templates: TemplateTraffic[];
  firstFailure: FailedAnswer | null;
  /** The first connection error or timeout, e.g. `connect ECONNREFUSED 127.0.0.1:4000`. */
  firstError: string | null;
}

export interface SideNetwork {
  outbound: OutboundPolicy;
  stubs: StubTraffic[];
  /** Non-loopback `hostname:port`s the app connected to, most connections first, and what leakwatch did. */
  hosts: OutboundHost[];
}

export interface StubTraffic {
  name: string;
  /** The env variable its URL was offered in. */
  env?: string;
  /** Origins rerouted to it. */
  hosts: string[];
  requests: number;
  /** Where its answers came from. */
  source: 'fixtures' | 'shape' | 'template' | 'echo' | 'synthetic' | 'record';
  /** Requests answered from that source. */
  answered: number;
  /** Requests no fixture matched (each answered 404): pages built on them were not the ones meant. */
  misses: number;
  /** The most missed paths and queries, with the fixture file that would answer each. */
  missedPaths: { path: string; count: number; file: string }[];
  /** The fixtures folder, absolute. */
  fixtures?: string;
}

export interface OutboundHost {
  host: string;
  action: 'stub' | 'blocked' | 'allowed';
  /** The stub's name, for `stub`. */
  upstream?: string;
  connections: number;
}
