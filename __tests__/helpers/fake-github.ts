// A real local HTTP server speaking the slice of GitHub's REST API leakwatch uses: issue comments with
// pagination and Link headers, GET /user, GET of a pull request and check-run creation. It enforces authorship
// like GitHub (only the author edits or deletes a comment), records every request, so tests assert what actually
// reached "GitHub", and can answer with queued faults (a 500, a rate limit) the way GitHub does.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface FakeComment {
  id: number;
  body: string;
  user: FakeUser;
  created_at: string;
  updated_at: string;
  html_url: string;
  issue_url: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url?: string;
  output: { title: string; summary: string };
  html_url: string;
}

export interface FakeGitHubOptions {
  /** Answer check-run creation with 403, like a fork PR's read-only token. */
  isCheckWriteDenied?: boolean;
  /** Token → identity. Bots get 403 from GET /user, like the Actions GITHUB_TOKEN. */
  users?: Record<string, FakeUser>;
  /** Hold every comment creation until this many have arrived (or 3 s passed), to force a race. */
  createBarrier?: number;
}

/** An answer GitHub gives instead of the real one, `times` times in a row, to requests matching method and path. */
export interface FakeFault {
  method: string;
  path: RegExp;
  status: number;
  times: number;
  message: string;
  headers?: Record<string, string>;
}

export interface FakeGitHub {
  /** Base URL, e.g. http://127.0.0.1:40123, for GITHUB_API_URL or Octokit's baseUrl. */
  url: string;
  requests: RecordedRequest[];
  comments(owner: string, repo: string, issueNumber: number): FakeComment[];
  seedComment(owner: string, repo: string, issueNumber: number, user: FakeUser, body: string): FakeComment;
  checkRuns(owner: string, repo: string): FakeCheckRun[];
  /** Makes GET /repos/:owner/:repo/pulls/:number answer with this head commit. */
  seedPullRequest(owner: string, repo: string, number: number, headSha: string): void;
  /** Queues a fault: matching requests get it until it has been given `times` times. */
  fail(fault: FakeFault): void;
  close(): Promise<void>;
}

export const ACTIONS_BOT: FakeUser = { login: 'github-actions[bot]', type: 'Bot' };
export const ACTIONS_TOKEN = 'ghs_fake_actions_token';

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const users = options.users ?? { [ACTIONS_TOKEN]: ACTIONS_BOT };
  const threads = new Map<string, FakeComment[]>();
  const requests: RecordedRequest[] = [];
  const pullRequests = new Map<string, string>();
  const checkRuns = new Map<string, FakeCheckRun[]>();
  const faults: FakeFault[] = [];
  let nextId = 1000;
  let clockMs = Date.parse('2025-01-01T00:00:00Z');
  let waitingCreates: (() => void)[] = [];
  let baseUrl = '';

  const thread = (owner: string, repo: string, issueNumber: number) => {
    const key = `${owner}/${repo}#${issueNumber}`;
    let comments = threads.get(key);
    if (!comments) {
      comments = [];
      threads.set(key, comments);
    }
    return comments;
  };

  const addComment = (owner: string, repo: string, issueNumber: number, user: FakeUser, body: string) => {
    const id = nextId++;
    clockMs += 1000;
    const at = new Date(clockMs).toISOString();
    const comment: FakeComment = {
      id,
      body,
      user,
      created_at: at,
      updated_at: at,
      html_url: `https://github.com/${owner}/${repo}/pull/${issueNumber}#issuecomment-${id}`,
      issue_url: `${baseUrl}/repos/${owner}/${repo}/issues/${issueNumber}`,
    };
    thread(owner, repo, issueNumber).push(comment);
    return comment;
  };

  const findComment = (owner: string, repo: string, id: number) => {
    for (const [key, comments] of threads) {
      if (!key.startsWith(`${owner}/${repo}#`)) continue;
      const index = comments.findIndex((comment) => comment.id === id);
      if (index >= 0) return { comments, index };
    }
    return null;
  };

  const waitForBarrier = async () => {
    if (!options.createBarrier) return;
    await new Promise<void>((resolve) => {
      waitingCreates.push(resolve);
      if (waitingCreates.length >= (options.createBarrier ?? 0)) {
        for (const release of waitingCreates) release();
        waitingCreates = [];
      } else {
        setTimeout(resolve, 3000).unref();
      }
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, bodyText: string) => {
    const url = new URL(request.url ?? '/', baseUrl);
    const query = Object.fromEntries(url.searchParams);
    const body = bodyText ? JSON.parse(bodyText) : undefined;
    const authorization = request.headers.authorization;
    requests.push({ method: request.method ?? '', path: url.pathname, query, body, authorization });
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      response.end(payload === undefined ? '' : JSON.stringify(payload));
    };

    const fault = faults.find((each) => each.method === request.method && each.path.test(url.pathname));
    if (fault) {
      fault.times--;
      if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
      return send(fault.status, { message: fault.message }, fault.headers);
    }

    const token = authorization?.replace(/^(token|bearer)\s+/i, '');
    const user = token ? users[token] : undefined;
    if (!user) return send(401, { message: 'Bad credentials' });

    if (request.method === 'GET' && url.pathname === '/user') {
      if (user.type === 'Bot') return send(403, { message: 'Resource not accessible by integration' });
      return send(200, { login: user.login, type: user.type, id: 1 });
    }

    const list = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/);
    if (list) {
      const [, owner = '', repo = '', number = '0'] = list;
      const issueNumber = Number(number);
      if (request.method === 'GET') {
        const perPage = Math.min(100, Number(query.per_page ?? 30));
        const page = Math.max(1, Number(query.page ?? 1));
        const all = thread(owner, repo, issueNumber);
        const lastPage = Math.max(1, Math.ceil(all.length / perPage));
        const pageUrl = (target: number) => {
          const next = new URL(url.pathname, baseUrl);
          next.searchParams.set('per_page', String(perPage));
          next.searchParams.set('page', String(target));
          return next.href;
        };
        const links = [];
        if (page < lastPage)
          links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(lastPage)}>; rel="last"`);
        if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(page - 1)}>; rel="prev"`);
        return send(
          200,
          all.slice((page - 1) * perPage, page * perPage),
          links.length ? { link: links.join(', ') } : {},
        );
      }
      if (request.method === 'POST') {
        if (typeof body?.body !== 'string') return send(422, { message: 'body is required' });
        await waitForBarrier();
        return send(201, addComment(owner, repo, issueNumber, user, body.body));
      }
    }

    const pull = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/);
    if (pull && request.method === 'GET') {
      const [, owner = '', repo = '', number = '0'] = pull;
      const pullHeadSha = pullRequests.get(`${owner}/${repo}#${number}`);
      if (!pullHeadSha) return send(404, { message: 'Not Found' });
      return send(200, { number: Number(number), state: 'open', head: { sha: pullHeadSha } });
    }

    const checks = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/check-runs$/);
    if (checks && request.method === 'POST') {
      if (options.isCheckWriteDenied) return send(403, { message: 'Resource not accessible by integration' });
      const [, owner = '', repo = ''] = checks;
      if (typeof body?.name !== 'string' || !/^[0-9a-f]{40}$/.test(body?.head_sha ?? ''))
        return send(422, { message: 'name and head_sha are required' });
      const id = nextId++;
      const run: FakeCheckRun = {
        ...body,
        id,
        conclusion: body.conclusion ?? null,
        html_url: `https://github.com/${owner}/${repo}/runs/${id}`,
      };
      checkRuns.set(`${owner}/${repo}`, [...(checkRuns.get(`${owner}/${repo}`) ?? []), run]);
      return send(201, run);
    }

    const single = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/);
    if (single) {
      const [, owner = '', repo = '', id = '0'] = single;
      const found = findComment(owner, repo, Number(id));
      if (!found) return send(404, { message: 'Not Found' });
      const comment = found.comments[found.index];
      if (!comment) return send(404, { message: 'Not Found' });
      if (comment.user.login !== user.login)
        return send(403, { message: 'Must have admin rights to Repository.' });
      if (request.method === 'PATCH') {
        if (typeof body?.body !== 'string') return send(422, { message: 'body is required' });
        clockMs += 1000;
        comment.body = body.body;
        comment.updated_at = new Date(clockMs).toISOString();
        return send(200, comment);
      }
      if (request.method === 'DELETE') {
        found.comments.splice(found.index, 1);
        return send(204);
      }
    }
    return send(404, { message: 'Not Found', documentation_url: 'fake-github' });
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      handle(request, response, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: String(error) }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    requests,
    comments: (owner, repo, issueNumber) => [...thread(owner, repo, issueNumber)],
    seedComment: addComment,
    checkRuns: (owner, repo) => [...(checkRuns.get(`${owner}/${repo}`) ?? [])],
    seedPullRequest: (owner, repo, number, headSha) =>
      pullRequests.set(`${owner}/${repo}#${number}`, headSha),
    fail: (fault) => faults.push({ ...fault }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
