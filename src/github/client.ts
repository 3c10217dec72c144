// The one way leakwatch talks to GitHub: @actions/github's Octokit with Octokit's own retry and throttling
// plugins. Server errors (5xx) are retried with a growing wait; rate limits wait as long as GitHub says
// (retry-after, or until the limit resets) when that is short. What still fails is turned into a message that
// names the call and the permission it needs (githubCallFailed).

import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { type ErrorCode, LeakwatchError } from '../settings/errors.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

/** Retries after a 5xx; the plugin waits (n+1)² × the base between tries: 1 s, 4 s, 9 s by default. */
const SERVER_ERROR_RETRIES = 3;
const RATE_LIMIT_RETRIES = 3;
/** A rate limit that resets later than this is reported rather than waited out (the job would just sit). */
const MAX_RATE_LIMIT_WAIT_SECONDS = 120;

export interface GitHubClientOptions {
  /** GITHUB_API_URL; @actions/github's default when absent. */
  baseUrl?: string;
  /** What GitHub calls a second, in ms (default 1000): tests shrink it so retries stay fast. */
  waitUnitMs?: number;
  /** Where a rate-limit wait is announced. */
  log?: (line: string) => void;
}

let clients = 0;

export function githubClient(token: string, options: GitHubClientOptions = {}): GitHubClient {
  const waitUnitMs = options.waitUnitMs ?? 1000;
  const shouldWait =
    (label: string) => (retryAfter: number, request: RequestInfo, _: unknown, count: number) => {
      const isShort = retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS && count < RATE_LIMIT_RETRIES;
      if (isShort)
        options.log?.(`GitHub ${label} on ${request.method} ${request.url}: retrying in ${retryAfter} s.`);
      return isShort;
    };
  return getOctokit(
    token,
    {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      retry: {
        retries: SERVER_ERROR_RETRIES,
        retryAfterBaseValue: waitUnitMs,
        // 429 is the throttling plugin's, which honours retry-after; the rest are answers, not hiccups.
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      },
      throttle: {
        // Per client, so one run's spacing of writes does not delay another client in the same process.
        id: `leakwatch-${process.pid}-${++clients}`,
        retryAfterBaseValue: waitUnitMs,
        onRateLimit: shouldWait('rate limit'),
        onSecondaryRateLimit: shouldWait('secondary rate limit'),
      },
    },
    retry,
    throttling,
  );
}

interface RequestInfo {
  method: string;
  url: string;
}

/** What a failed call needs: `creating the comment` and the permission line that grants it. */
export interface GitHubCall {
  /** A gerund phrase: "creating the comment", "publishing the check run `memory`". */
  doing: string;
  /** The `permissions:` entry that allows it, e.g. `pull-requests: write`. */
  permission: string;
  code: ErrorCode;
  /** False where the token is never a fork PR's (report mode's workflow_run). */
  mayBeForkToken?: boolean;
}

/** A failed call as a user error naming the call, GitHub's answer and what to change. */
export function githubCallFailed(call: GitHubCall, error: unknown): LeakwatchError {
  const { status, response, message } = error as {
    status?: number;
    response?: { data?: unknown };
    message?: string;
  };
  // Octokit reports a request that got no answer at all (DNS, refused connection) as status 500.
  if (!response) {
    const why = `no answer from GitHub (${String(message ?? error).slice(0, 200)})`;
    const hint = 'check GITHUB_API_URL and the network, then rerun the job';
    return new LeakwatchError(call.code, `${call.doing} failed: ${why}; ${hint}`, { cause: error });
  }
  const said = (response.data as { message?: unknown } | undefined)?.message;
  const text = typeof said === 'string' ? ` ${said.slice(0, 200).replace(/\.$/, '')}` : '';
  const isRateLimit = status === 429 || /rate limit/i.test(text);
  const hint = isRateLimit
    ? `GitHub kept rate-limiting the token (waits over ${MAX_RATE_LIMIT_WAIT_SECONDS} s are not waited out): rerun the job later`
    : status === 401
      ? "the token was refused: pass a valid `github-token` (the default is the job's GITHUB_TOKEN)"
      : status === 403 || status === 404
        ? `the workflow needs \`permissions: ${call.permission}\`${call.mayBeForkToken === false ? '' : " (a fork PR's token is read-only: use `mode: measure` with a `mode: report` workflow_run)"}`
        : `GitHub answered with a server error ${SERVER_ERROR_RETRIES + 1} times: rerun the job (https://www.githubstatus.com)`;
  return new LeakwatchError(call.code, `${call.doing} failed: ${status}${text}; ${hint}`, { cause: error });
}
