// A real local HTTP server speaking the Actions cache service v2, the one @actions/cache 6 talks to on github.com
// (ACTIONS_CACHE_SERVICE_V2 set): twirp JSON on ACTIONS_RESULTS_URL (CreateCacheEntry, FinalizeCacheEntryUpload,
// GetCacheEntryDownloadURL), and signed URLs for the archive itself, uploaded by the Azure Blob SDK (Put Blob, or
// Put Block + Put Block List past 128 MiB) and downloaded with a plain GET.
//
// It scopes entries as GitHub does: the run's ACTIONS_RUNTIME_TOKEN is a JWT whose `ac` claim lists the cache
// scopes (refs) the run may read and the one it may write. A lookup searches the readable scopes, the run's own
// first; a save goes into the writable scope, and an entry (key + version + scope) is immutable once reserved.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';
/** GitHub's `ac` claim permissions: 1 read, 2 write, 3 both. */
const READ = 1;
const WRITE = 2;

export interface CacheScope {
  /** A ref, e.g. `refs/pull/7/merge` or `refs/heads/main`. */
  scope: string;
  permission: number;
}

export interface FakeCacheEntry {
  id: number;
  key: string;
  version: string;
  scope: string;
  archive: Buffer | null;
  isFinalized: boolean;
}

export interface TwirpCall {
  method: string;
  body: Record<string, unknown>;
  /** The scopes the caller's token carried. */
  scopes: CacheScope[];
}

export interface FakeActionsCache {
  /** For ACTIONS_RESULTS_URL (ends with a slash, as on the runner). */
  url: string;
  calls: TwirpCall[];
  entries(): FakeCacheEntry[];
  close(): Promise<void>;
}

/**
 * The scopes GitHub gives a run's token (docs: "Restrictions for accessing a cache"): a `pull_request` run reads and
 * writes its PR's merge ref and reads the base branch; any other run reads and writes its own ref (for
 * `pull_request_target`, the base branch), and reads the default branch.
 */
export function scopesFor(
  event: 'pull_request' | 'pull_request_target' | 'push',
  options: { pr?: number; baseRef?: string; ref?: string; defaultBranch?: string },
): CacheScope[] {
  const defaultRef = `refs/heads/${options.defaultBranch ?? 'main'}`;
  const baseRef = `refs/heads/${options.baseRef ?? 'main'}`;
  const own =
    event === 'pull_request'
      ? `refs/pull/${options.pr}/merge`
      : event === 'pull_request_target'
        ? baseRef
        : (options.ref ?? defaultRef);
  const readOnly = [...new Set(event === 'pull_request' ? [baseRef, defaultRef] : [defaultRef])];
  return [
    { scope: own, permission: READ | WRITE },
    ...readOnly.filter((scope) => scope !== own).map((scope) => ({ scope, permission: READ })),
  ];
}

/** An unsigned JWT shaped like the runner's: the service only reads its `ac` claim. */
export function runtimeToken(scopes: CacheScope[]): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const ac = JSON.stringify(
    scopes.map(({ scope, permission }) => ({ Scope: scope, Permission: permission })),
  );
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ac })}.`;
}

function scopesOf(request: IncomingMessage): CacheScope[] {
  const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const ac = JSON.parse(claims.ac) as { Scope: string; Permission: number }[];
    return ac.map((entry) => ({ scope: entry.Scope, permission: entry.Permission }));
  } catch {
    return [];
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What the service holds: entries by scope, and blocks staged by Put Block until their Put Block List. */
interface Store {
  entries: FakeCacheEntry[];
  blocks: Map<string, Buffer>;
  nextId: number;
  baseUrl: string;
}

const signedUrl = (store: Store, id: number) => `${store.baseUrl}account/cache/${id}?sig=${randomUUID()}`;

/** A lookup searches the readable scopes in the token's order (the run's own first): key, then restore keys. */
function lookUp(store: Store, body: Record<string, unknown>, scopes: CacheScope[]) {
  const readable = scopes.filter((scope) => scope.permission & READ).map((scope) => scope.scope);
  const restoreKeys = (body.restore_keys as string[] | undefined) ?? [];
  for (const scope of readable) {
    const inScope = store.entries.filter(
      (e) => e.scope === scope && e.version === String(body.version) && e.isFinalized,
    );
    const found =
      inScope.find((e) => e.key === body.key) ??
      restoreKeys.flatMap((prefix) => inScope.filter((e) => e.key.startsWith(prefix)).reverse())[0];
    if (found) return { ok: true, signed_download_url: signedUrl(store, found.id), matched_key: found.key };
  }
  return { ok: false, signed_download_url: '', matched_key: '' };
}

function answerTwirp(store: Store, method: string, body: Record<string, unknown>, scopes: CacheScope[]) {
  if (method === 'GetCacheEntryDownloadURL') return lookUp(store, body, scopes);
  const [key, version] = [String(body.key ?? ''), String(body.version ?? '')];
  const writable = scopes.find((scope) => scope.permission & WRITE)?.scope;
  if (!writable) return { ok: false, message: 'cache write denied: the token has no writable scope' };
  const existing = store.entries.find((e) => e.scope === writable && e.key === key && e.version === version);
  if (method === 'CreateCacheEntry') {
    if (existing) return { ok: false, message: `an entry for ${key} already exists in ${writable}` };
    const entry = { id: store.nextId++, key, version, scope: writable, archive: null, isFinalized: false };
    store.entries.push(entry);
    return { ok: true, signed_upload_url: signedUrl(store, entry.id) };
  }
  if (method === 'FinalizeCacheEntryUpload') {
    if (!existing?.archive || existing.isFinalized) return { ok: false, message: 'nothing to finalize' };
    if (existing.archive.length !== Number(body.size_bytes)) return { ok: false, message: 'size mismatch' };
    existing.isFinalized = true;
    return { ok: true, entry_id: String(existing.id) };
  }
  return null;
}

/** The signed URLs: `account/cache/<id>`, as Azure Blob Storage serves them (Put Blob, Put Block, Get Blob). */
async function serveBlob(store: Store, request: IncomingMessage, response: ServerResponse, url: URL) {
  const entry = store.entries.find((e) => url.pathname === `/account/cache/${e.id}`);
  if (!entry || !url.searchParams.get('sig')) return response.writeHead(403).end();
  const headers = { 'x-ms-request-id': randomUUID(), 'x-ms-version': '2024-11-04', etag: `"${entry.id}"` };
  if (request.method === 'GET' || request.method === 'HEAD') {
    if (!entry.isFinalized || !entry.archive) return response.writeHead(404).end();
    response.writeHead(200, { ...headers, 'content-length': entry.archive.length });
    return response.end(request.method === 'GET' ? entry.archive : undefined);
  }
  if (request.method !== 'PUT' || entry.isFinalized) return response.writeHead(409).end();
  const body = await readBody(request);
  const comp = url.searchParams.get('comp');
  if (comp === 'block') store.blocks.set(`${entry.id}/${url.searchParams.get('blockid')}`, body);
  else if (comp === 'blocklist') {
    const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted)>([^<]+)</g)].map((m) => m[1]);
    entry.archive = Buffer.concat(ids.map((id) => store.blocks.get(`${entry.id}/${id}`) ?? Buffer.alloc(0)));
  } else entry.archive = body;
  return response.writeHead(201, headers).end();
}

export async function startFakeActionsCache(): Promise<FakeActionsCache> {
  const store: Store = { entries: [], blocks: new Map(), nextId: 1, baseUrl: '' };
  const calls: TwirpCall[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(SERVICE)) {
      serveBlob(store, request, response, url).catch(() => response.writeHead(500).end());
      return;
    }
    readBody(request)
      .then((raw) => {
        const method = url.pathname.slice(SERVICE.length);
        const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
        const scopes = scopesOf(request);
        calls.push({ method, body, scopes });
        const answer = scopes.length > 0 ? answerTwirp(store, method, body, scopes) : null;
        if (!answer) {
          response.writeHead(scopes.length > 0 ? 404 : 401, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ code: 'unauthenticated', msg: 'no cache scopes' }));
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      })
      .catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  store.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url: store.baseUrl,
    calls,
    entries: () => store.entries,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
