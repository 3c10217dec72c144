// Where an answer lives on disk. `/a/b` answers with `a/b.json`, `/` with `index.json`, and a query that has a
// file of its own (what `leakwatch record` writes) with `a/b%3Fx=1.json`: `%3F` stands for the `?`, and characters
// that no file name may hold are %-escaped. An optional `<file>.headers` holds `{ status, headers }`.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Fixture } from './stub-handler.js';

const unsafe = /[%\\:*?"<>|]/g;
const escaped = /%(25|5C|3A|2A|3F|22|3C|3E|7C)/gi;

/** The fixture file, relative to the fixtures folder, for a fixture key (`/a/b` or `/a/b?x=1`). */
export function fixtureFileFor(key: string): string {
  const [pathname = '/', ...query] = key.split('?');
  const segments = (pathname === '/' ? '/index' : pathname).split('/').slice(1).map(escapeName);
  const last = segments.pop() ?? 'index';
  const withQuery = query.length > 0 ? `${last}%3F${escapeName(query.join('?'))}` : last;
  return [...segments, `${withQuery}.json`].join('/');
}

export async function loadFixtures(dir: string): Promise<Map<string, Fixture>> {
  const fixtures = new Map<string, Fixture>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const [routePath = '', query] = path
      .relative(dir, file)
      .split(path.sep)
      .join('/')
      .replace(/\.json$/, '')
      .split('%3F');
    // Names are stored decoded, as fixtureKey gives them: unescaping is all that is left to do.
    const route = `/${routePath}`.replace(/(^|\/)index$/, '').replace(escaped, unescapeOne) || '/';
    const key = query === undefined ? route : `${route}?${query.replace(escaped, unescapeOne)}`;
    fixtures.set(key, { body: await readFile(file), ...(await readHead(`${file}.headers`)) });
  }
  return fixtures;
}

async function readHead(file: string): Promise<{ status: number; headers: Record<string, string> }> {
  try {
    const head = JSON.parse(await readFile(file, 'utf8')) as {
      status?: number;
      headers?: Record<string, string>;
    };
    return { status: head.status ?? 200, headers: head.headers ?? {} };
  } catch {
    return { status: 200, headers: {} };
  }
}

function escapeName(name: string): string {
  return name.replace(unsafe, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function unescapeOne(match: string): string {
  return String.fromCharCode(Number.parseInt(match.slice(1), 16));
}
