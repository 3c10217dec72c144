import type { OutboundPolicy } from '../model/report.js';

/** A request as the scenario file writes it: path, headers and body are templates ({{seq}}, {{random:N}}, ...). */
export interface RequestTemplate {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Relative weight in the mix; default 1. */
  weight?: number;
  /** Statuses that count as success for this request (e.g. 404 for a route that answers it on purpose); default any 2xx or 3xx. */
  expectStatus?: number | number[];
}

/**
 * A loopback HTTP stub leakwatch starts before the app: its URL goes into the env variable `env`, and the probe
 * reroutes the app's connections to `hosts` to it.
 */
export interface UpstreamSpec {
  name: string;
  /** Env variable that receives `http://127.0.0.1:PORT`. */
  env?: string;
  /** Origins the app calls by name (`https://pokeapi.co`, `http://cms.internal:8080`), rerouted to the stub. */
  hosts?: string[];
  /** A JSON value the stub answers to every request, e.g. the fields a page reads. */
  shape?: unknown;
  /** A body template answered to every request, expanded per request: `{"id": {{seq}}, "name": "{{pick:a,b}}"}`. */
  template?: string;
  /** Synthetic JSON response size in bytes, when no fixtures are given. */
  responseBytes?: number;
  /** Directory of recorded fixtures (path → JSON file), relative to the scenario file. */
  fixtures?: string;
  /** Fixed latency in ms, or [min, max]. */
  latencyMs?: number | [number, number];
  /** Reply with the request's method, path, headers and body. */
  echo?: boolean;
}

export interface Scenario {
  name: string;
  description?: string;
  requests: RequestTemplate[];
  connections?: number;
  requestsPerRound?: number;
  rounds?: number;
  warmupRequests?: number;
  /** Cap on the load rate in requests per second, for caches that only fill at a real user's pace; default: as fast as the app answers. */
  ratePerSecond?: number;
  /** Production traffic in requests/s: the report prices the growth at it; default: per 1 request/s. */
  productionRps?: number;
  heapCapMb?: number;
  readyPath?: string;
  /** Share of requests (0–1) that may fail on a side before the run is an error. */
  maxFailedShare?: number;
  /** Extra env for the app. */
  env?: Record<string, string>;
  upstreams?: UpstreamSpec[];
  /** Connections to non-loopback hosts no upstream claims: refused (default) or let through. */
  outbound?: OutboundPolicy;
  /** Absolute path of the file the scenario was loaded from; set by loadScenario, never written in the file. */
  sourcePath?: string;
}

/** One concrete request, after templates are expanded. */
export interface RequestSpec {
  /** Index of the template in `scenario.requests`. */
  template: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
