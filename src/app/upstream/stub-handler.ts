import type { IncomingMessage, ServerResponse } from 'node:http';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** What the parent sends a stub process: the upstream spec with the fixtures folder resolved. */
export interface StubConfig {
  name: string;
  responseBytes?: number;
  /** Absolute path. */
  fixturesDir?: string;
  latencyMs?: number | [number, number];
  echo?: boolean;
}

/** The stub's first and only message to its parent. */
export interface StubReadyMessage {
  type: 'listening';
  port: number;
}

const defaultResponseBytes = 1024;
// Latencies in a range are drawn from a fixed seed, so base and head runs see the same delays in the same order.
const latencySeed = 20_240_601;

/**
 * Builds the stub's request handler. `fixtures` maps a URL path (no query) to a recorded JSON answer;
 * without fixtures the stub answers synthetic JSON, or echoes the request.
 */
export function createStubHandler(
  config: StubConfig,
  fixtures: ReadonlyMap<string, Buffer> | undefined,
): (request: IncomingMessage, response: ServerResponse) => void {
  const nextLatencyMs = latencyDrawer(config.latencyMs);
  const synthetic = syntheticJson(config.responseBytes ?? defaultResponseBytes);

  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (): void => {
        if (config.echo) {
          const body = Buffer.concat(chunks).toString('utf8');
          send(
            response,
            200,
            JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }),
          );
        } else if (fixtures) {
          const fixture = fixtures.get(fixtureKey(request.url ?? '/'));
          if (fixture) send(response, 200, fixture);
          else
            send(
              response,
              404,
              JSON.stringify({ error: `no fixture for ${request.url}`, stub: config.name }),
            );
        } else {
          send(response, 200, synthetic);
        }
      };
      const delayMs = nextLatencyMs();
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  };
}

/** `/a/b/?x=1` → `/a/b`: the key fixture files are stored under. */
export function fixtureKey(url: string): string {
  const pathname = decodeURIComponent(url.split('?')[0] ?? '/');
  return pathname.length > 1 ? pathname.replace(/\/+$/, '') : '/';
}

function send(response: ServerResponse, status: number, body: string | Buffer): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function latencyDrawer(latencyMs: StubConfig['latencyMs']): () => number {
  if (latencyMs === undefined) return () => 0;
  if (typeof latencyMs === 'number') return () => latencyMs;
  const rng = xoroshiro128plus(latencySeed);
  const [minMs, maxMs] = latencyMs.map(Math.round) as [number, number];
  return () => uniformInt(rng, minMs, maxMs);
}

/** A JSON document of exactly `sizeBytes` bytes (at least 25): a list of records, padded to the size. */
function syntheticJson(sizeBytes: number): Buffer {
  const head = '{"items":[';
  const tail = '],"padding":""}';
  const items: string[] = [];
  let lengthBytes = head.length + tail.length;
  for (let id = 0; ; id++) {
    const item = `${id === 0 ? '' : ','}{"id":${id},"name":"item-${id}","tags":["a","b"],"score":${(id * 7919) % 1000}}`;
    if (lengthBytes + item.length > sizeBytes) break;
    items.push(item);
    lengthBytes += item.length;
  }
  return Buffer.from(`${head}${items.join('')}],"padding":"${'x'.repeat(sizeBytes - lengthBytes)}"}`);
}
