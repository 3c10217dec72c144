// Drives one round of deterministic load with autocannon.
import autocannon from 'autocannon';
import { LeakwatchError } from '../model/errors.js';
import type { LoadStats } from '../model/report.js';
import type { RequestSpec } from '../scenario/types.js';

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
}

export async function sendLoad(options: LoadOptions): Promise<LoadStats> {
  const startedAtMs = Date.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: Math.min(options.connections, options.requests),
        amount: options.requests,
        // With `amount`, a run only ends on a sample tick (default 1 s): a low interval keeps rounds short.
        sampleInt: 10,
        timeout: options.timeoutSeconds ?? 30,
        // autocannon hangs on a fractional rate (it becomes a fractional connection count).
        overallRate:
          options.ratePerSecond === undefined ? undefined : Math.max(1, Math.floor(options.ratePerSecond)),
        requests: [
          {
            // autocannon hands over a fresh copy of all its options for every request: filling it in place
            // spares a second copy on the generator's hot path.
            setupRequest: (request) => {
              const next = options.nextRequest();
              request.method = next.method as typeof request.method;
              request.path = next.path;
              request.headers = next.headers;
              request.body = next.body;
              return request;
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
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    durationMs,
    requestsPerSecond: (result.requests.sent / Math.max(durationMs, 1)) * 1000,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}
