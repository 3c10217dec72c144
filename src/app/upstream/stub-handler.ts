import type { IncomingMessage, ServerResponse } from 'node:http';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { compileTemplate, type ExpansionContext } from '../../scenario/template.js';
import { fixtureFileFor } from './fixture-files.js';
import type { RecordConfig } from './recorder.js';

/** Env variable carrying `{ cert, key }` (PEM) for a stub's https listener: not argv, which anyone can read. */
export const stubTlsEnv = 'LEAKWATCH_STUB_TLS';

/** What the parent sends a stub process: the upstream spec with the fixtures folder resolved. */
export interface StubConfig {
  name: string;
  responseBytes?: number;
  /** Absolute path. */
  fixturesDir?: string;
  latencyMs?: number | [number, number];
  echo?: boolean;
  /** A JSON value answered to every request (padded to responseBytes when that is larger). */
  shape?: unknown;
  /** A body template ({{seq}}, {{pick:a,b}}, {{random:N}}...), expanded per request from a fixed seed. */
  template?: string;
  /** `leakwatch record`: forward to the real origins and write what they answer. */
  record?: RecordConfig;
}

/** A recorded answer: the body, and the status and headers when a `.json.headers` file came with it. */
export interface Fixture {
  body: Buffer;
  status: number;
  headers: Record<string, string>;
}

/** The stub's first message to its parent; `tlsPort` when it was given a certificate. */
export interface StubReadyMessage {
  type: 'listening';
  port: number;
  tlsPort?: number;
}

/** Where a stub's answers come from; `record` forwards to the real origins. */
export type StubSource = 'fixtures' | 'shape' | 'template' | 'echo' | 'synthetic' | 'record';

/** A fixture key the stub had no file for, how often it was asked, and the file that would answer it. */
export interface MissedPath {
  path: string;
  count: number;
  file: string;
}

/** The parent asks `{ type: 'hits' }`; the stub answers with the requests it received so far and what it did. */
export interface StubHitsMessage {
  type: 'hits';
  requests: number;
  source: StubSource;
  /** Requests answered from the source (a fixture, the shape, the template...). */
  answered: number;
  /** Requests no fixture matched: each got a 404 the app may have hidden. */
  misses: number;
  /** The most missed paths, most first. */
  missedPaths: MissedPath[];
}

/** The paths a stub keeps miss counts for: enough to name the top ones, bounded whatever the app asks. */
const maxMissedPathsCounted = 200;
const maxMissedPathsReported = 5;

/** What one stub process answered: counted by its handler, read by the parent through `hits`. */
export class StubTally {
  answered = 0;
  misses = 0;
  private readonly missed = new Map<string, number>();

  constructor(readonly source: StubSource) {}

  countMiss(key: string): void {
    this.misses += 1;
    const count = this.missed.get(key);
    if (count !== undefined) this.missed.set(key, count + 1);
    else if (this.missed.size < maxMissedPathsCounted) this.missed.set(key, 1);
  }

  topMisses(): MissedPath[] {
    return [...this.missed]
      .sort((a, b) => b[1] - a[1])
      .slice(0, maxMissedPathsReported)
      .map(([path, count]) => ({
        path: path.slice(0, 500),
        count,
        file: fixtureFileFor(path).slice(0, 500),
      }));
  }
}

export function stubSource(config: StubConfig): StubSource {
  if (config.record) return 'record';
  if (config.echo) return 'echo';
  if (config.fixturesDir !== undefined) return 'fixtures';
  if (config.shape !== undefined) return 'shape';
  return config.template === undefined ? 'synthetic' : 'template';
}

const defaultResponseBytes = 1024;
// Latencies in a range are drawn from a fixed seed, so base and head runs see the same delays in the same order.
const latencySeed = 20_240_601;

/**
 * Builds the stub's request handler. `fixtures` maps a URL path, with or without its query, to a recorded
 * answer; without fixtures the stub answers its `shape` or `template`, synthetic JSON, or echoes the request.
 */
export function createStubHandler(
  config: StubConfig,
  fixtures: ReadonlyMap<string, Fixture> | undefined,
  tally: StubTally,
): (request: IncomingMessage, response: ServerResponse) => void {
  const nextLatencyMs = latencyDrawer(config.latencyMs);
  const template = config.template === undefined ? undefined : compileTemplate(config.template);
  const templateContext: ExpansionContext = { rng: xoroshiro128plus(latencySeed + 1), seq: 0 };
  const synthetic =
    config.shape === undefined
      ? syntheticJson(config.responseBytes ?? defaultResponseBytes)
      : shapedJson(config.shape, config.responseBytes ?? 0);

  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (): void => {
        if (fixtures && !config.echo) {
          answerFromFixtures(fixtures, request, response, { config, tally });
          return;
        }
        tally.answered += 1;
        if (config.echo) {
          const body = Buffer.concat(chunks).toString('utf8');
          send(
            response,
            200,
            JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }),
          );
        } else if (template) {
          templateContext.seq += 1;
          send(response, 200, template.expand(templateContext));
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

/** The fixture for the path and query, else for the path; a miss is a 404, counted by its path and query. */
function answerFromFixtures(
  fixtures: ReadonlyMap<string, Fixture>,
  request: IncomingMessage,
  response: ServerResponse,
  context: { config: StubConfig; tally: StubTally },
): void {
  const url = request.url ?? '/';
  const fixture = fixtures.get(fixtureKey(url, true)) ?? fixtures.get(fixtureKey(url));
  if (!fixture) {
    context.tally.countMiss(fixtureKey(url, true));
    send(response, 404, JSON.stringify({ error: `no fixture for ${url}`, stub: context.config.name }));
    return;
  }
  context.tally.answered += 1;
  send(response, fixture.status, fixture.body, fixture.headers);
}

/** `/a/b/?x=1` → `/a/b` (or `/a/b?x=1` with the query): the keys fixture files are stored under. */
export function fixtureKey(url: string, withQuery = false): string {
  const [rawPath = '/', ...query] = url.split('?');
  const pathname = decodeURIComponent(rawPath);
  const key = pathname.length > 1 ? pathname.replace(/\/+$/, '') : '/';
  return withQuery && query.length > 0 ? `${key}?${query.join('?')}` : key;
}

function send(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    ...headers,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** The shape as JSON; an object is padded with a `padding` field up to `sizeBytes`. */
function shapedJson(shape: unknown, sizeBytes: number): Buffer {
  const json = JSON.stringify(shape);
  const isObject = typeof shape === 'object' && shape !== null && !Array.isArray(shape);
  const room = sizeBytes - Buffer.byteLength(json) - ',"padding":""'.length;
  if (!isObject || room <= 0) return Buffer.from(json);
  return Buffer.from(JSON.stringify({ ...shape, padding: 'x'.repeat(room) }));
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
