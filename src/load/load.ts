// Drives one round of deterministic load with autocannon.
import autocannon from 'autocannon';
import type { LoadStats } from '../model/report.js';
import type { RequestSpec } from '../scenario/types.js';
import { LeakwatchError } from '../settings/errors.js';
import type { TrafficCounter } from './traffic.js';

export interface LoadOptions {
  /** Origin of the app, e.g. http://127.0.0.1:4000. */
  url: string;
  requests: number;
  connections: number;
  /** Called once per request; the same sequence is replayed against base and head. */
  nextRequest: () => RequestSpec;
  /** Overall request rate cap (requests per second); unlimited when absent. */
  ratePerSecond?: number;
  timeoutSeconds?: number;
  /** Counts every request and answer of the side, across rounds. */
  traffic: TrafficCounter;
}

/** autocannon's per-connection context: it is fresh for each request, and still the answered one's in `onResponse`. */
interface RequestContext {
  spec?: RequestSpec;
}

/** The part of autocannon's connection (its Client, not typed by autocannon) that says which request is in flight. */
interface Connection {
  on(event: 'request' | 'timeout', listener: () => void): void;
  on(event: 'connError', listener: (error: Error) => void): void;
  requestIterator: { context: RequestContext };
}

/**
 * Counts each connection's errors and timeouts against the request in flight on it. autocannon reconnects and
 * sends the next request before it reports a timeout, so the request in flight is noted only once the code that
 * sent it has run (a microtask after its `request` event): a timeout reported in between still sees the old one.
 */
function countErrorsOf(connection: Connection, traffic: TrafficCounter): void {
  let inFlight: RequestSpec | undefined;
  connection.on('request', () =>
    queueMicrotask(() => {
      inFlight = connection.requestIterator.context.spec;
    }),
  );
  connection.on('connError', (error) => traffic.countError(inFlight?.template, 'connection', error.message));
  connection.on('timeout', () => traffic.countError(inFlight?.template, 'timeout', 'request timed out'));
}

export async function sendLoad(options: LoadOptions): Promise<LoadStats> {
  const startedAtMs = Date.now();
  const { traffic } = options;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: Math.min(options.connections, options.requests),
        amount: options.requests,
        // With `amount`, a run only ends on a sample tick (default 1 s): a low interval keeps rounds short.
        sampleInt: 10,
        timeout: options.timeoutSeconds ?? 30,
        setupClient: (client: autocannon.Client) => countErrorsOf(client as unknown as Connection, traffic),
        // autocannon hangs on a fractional rate (it becomes a fractional connection count).
        overallRate:
          options.ratePerSecond === undefined ? undefined : Math.max(1, Math.floor(options.ratePerSecond)),
        requests: [
          {
            // autocannon hands over a fresh copy of all its options for every request: filling it in place
            // spares a second copy on the generator's hot path.
            setupRequest: (request, context: RequestContext) => {
              const next = options.nextRequest();
              request.method = next.method as typeof request.method;
              request.path = next.path;
              request.headers = next.headers;
              request.body = next.body;
              context.spec = next;
              traffic.countSent(next.template);
              return request;
            },
            onResponse: (status: number, body: string, context: RequestContext) => {
              if (context.spec) traffic.countAnswer(context.spec.template, context.spec, status, body);
            },
          },
        ],
      } as autocannon.Options,
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
  }).catch((error: unknown) => {
    throw new LeakwatchError('LOAD_FAILED', `autocannon failed against ${options.url}: ${String(error)}`, {
      cause: error,
    });
  });
  const durationMs = Date.now() - startedAtMs;
  return {
    requests: result.requests.sent,
    durationMs,
    requestsPerSecond: (result.requests.sent / Math.max(durationMs, 1)) * 1000,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}
