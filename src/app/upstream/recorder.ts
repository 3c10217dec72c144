// `leakwatch record`'s side of a stub: each request the app sends to a declared origin goes on to the real
// origin, the answer goes back to the app, and is written as a fixture (one file per path and query) that later
// runs replay without any network. Headers that look like secrets are never written.
import { mkdir, writeFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fixtureFileFor } from './fixture-files.js';
import { fixtureKey } from './stub-handler.js';

export interface RecordConfig {
  /** The declared origins (`https://pokeapi.co`); the Host header picks one, anything else is refused. */
  origins: string[];
  /** Absolute fixtures folder. */
  dir: string;
  /** Answers larger than this are passed on but not written. */
  maxBytes: number;
}

/** What the stub tells its parent about each answer. */
export type RecordedMessage =
  | { type: 'recorded'; url: string; file: string; status: number; bytes: number }
  | { type: 'not-recorded'; url: string; reason: string };

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'upgrade',
  'proxy-connection',
  'date',
]);
const secretLooking =
  /^(set-cookie|cookie|authorization|proxy-authorization|www-authenticate)$|token|secret|key|auth|session|signature|credential|password|csrf|xsrf/i;

export function createRecordingHandler(
  config: RecordConfig,
  isTls: boolean,
  tell: (message: RecordedMessage) => void,
): (request: IncomingMessage, response: ServerResponse) => void {
  const origins = new Set(config.origins.map((origin) => new URL(origin).origin));
  return (request, response) => {
    const url = request.url ?? '/';
    const origin = safeOrigin(`${isTls ? 'https' : 'http'}://${request.headers.host ?? ''}`);
    if (!origin || !origins.has(origin)) {
      tell({ type: 'not-recorded', url, reason: `${origin ?? 'no Host'} is not a declared host` });
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `leakwatch record: ${origin} is not a declared host` }));
      return;
    }
    const target = new URL(url, origin);
    const forwarded = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: request.method,
        headers: { ...withoutHopByHop(request.headers), 'accept-encoding': 'identity' },
      },
      (answer) =>
        relay(answer, response, { url: `${origin}${url}`, key: fixtureKey(url, true), config, tell }),
    );
    forwarded.on('error', (error) => {
      tell({ type: 'not-recorded', url: `${origin}${url}`, reason: error.message });
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `leakwatch record: ${error.message}` }));
    });
    request.pipe(forwarded);
  };
}

function relay(
  answer: IncomingMessage,
  response: ServerResponse,
  context: { url: string; key: string; config: RecordConfig; tell: (message: RecordedMessage) => void },
): void {
  const headers = withoutHopByHop(answer.headers);
  response.writeHead(answer.statusCode ?? 502, headers);
  const chunks: Buffer[] = [];
  let bytes = 0;
  answer.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= context.config.maxBytes) chunks.push(chunk);
    response.write(chunk);
  });
  answer.on('end', () => {
    response.end();
    if (bytes > context.config.maxBytes) {
      const reason = `${bytes} bytes is above the ${context.config.maxBytes}-byte fixture cap`;
      context.tell({ type: 'not-recorded', url: context.url, reason });
      return;
    }
    const file = fixtureFileFor(context.key);
    const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !secretLooking.test(name)));
    void writeFixture(context.config.dir, file, Buffer.concat(chunks), {
      status: answer.statusCode ?? 200,
      headers: kept,
    }).then(
      () => context.tell({ type: 'recorded', url: context.url, file, status: answer.statusCode ?? 0, bytes }),
      (error: Error) => context.tell({ type: 'not-recorded', url: context.url, reason: error.message }),
    );
  });
}

async function writeFixture(dir: string, file: string, body: Buffer, head: object): Promise<void> {
  const target = path.join(dir, file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, body);
  await writeFile(`${target}.headers`, `${JSON.stringify(head, null, 2)}\n`);
}

function withoutHopByHop(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || name === 'host') continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

function safeOrigin(text: string): string | undefined {
  try {
    return new URL(text).origin;
  } catch {
    return undefined;
  }
}
