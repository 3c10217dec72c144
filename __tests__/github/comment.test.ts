import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../../src/github/client.js';
import type * as CommentModule from '../../src/github/comment.js';
import type * as PullRequestModule from '../../src/github/pull-request.js';
import { commentMarker } from '../../src/report/escape.js';
import {
  ACTIONS_BOT,
  ACTIONS_TOKEN,
  type FakeGitHub,
  type FakeUser,
  startFakeGitHub,
} from '../helpers/fake-github.js';

const PAT_TOKEN = 'ghp_fake_user_token';
const STRANGER_TOKEN = 'ghp_fake_stranger_token';
const ALICE: FakeUser = { login: 'alice', type: 'User' };
const MALLORY: FakeUser = { login: 'mallory', type: 'User' };

let github: FakeGitHub;
let getOctokit: (token: string) => GitHubClient;
let getOctokitWithOptions: (token: string, options: { baseUrl: string }) => GitHubClient;
let upsertStickyComment: typeof CommentModule.upsertStickyComment;
let confirmPullRequestHead: typeof PullRequestModule.confirmPullRequestHead;
let issueNumber = 0;
const owner = 'acme';
const repo = 'shop';

beforeAll(async () => {
  github = await startFakeGitHub({
    users: { [ACTIONS_TOKEN]: ACTIONS_BOT, [PAT_TOKEN]: ALICE, [STRANGER_TOKEN]: MALLORY },
  });
  // @actions/github reads GITHUB_API_URL when it is first imported, as on a runner; this proves that path.
  process.env.GITHUB_API_URL = github.url;
  const actionsGithub = await import('@actions/github');
  // Imported after the variable is set: they import @actions/github (through src/github/client.ts).
  ({ upsertStickyComment } = await import('../../src/github/comment.js'));
  ({ confirmPullRequestHead } = await import('../../src/github/pull-request.js'));
  getOctokit = (token) => actionsGithub.getOctokit(token);
  getOctokitWithOptions = (token, options) => actionsGithub.getOctokit(token, options);
});

afterAll(async () => {
  await github.close();
});

beforeEach(() => {
  issueNumber++;
  github.requests.length = 0;
});

function upsert(body: string, options: { token?: string; commentKey?: string; lines?: string[] } = {}) {
  return upsertStickyComment({
    octokit: getOctokit(options.token ?? ACTIONS_TOKEN),
    owner,
    repo,
    issueNumber,
    commentKey: options.commentKey ?? 'default',
    body: `${commentMarker(options.commentKey ?? 'default')}\n${body}`,
    log: (line) => options.lines?.push(line),
  });
}

describe('upsertStickyComment', () => {
  it('creates the comment, then updates it in place without a duplicate', async () => {
    const first = await upsert('first run');
    expect(first.action).toBe('created');
    const second = await upsert('second run');
    expect(second).toMatchObject({ action: 'updated', id: first.id, removedDuplicates: 0 });

    const comments = github.comments(owner, repo, issueNumber);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toBe(`${commentMarker('default')}\nsecond run`);
    expect(comments[0]?.user.login).toBe('github-actions[bot]');
    expect(second.url).toBe(comments[0]?.html_url);
    // Every request went to the local server with the token, through the real client.
    expect(github.requests.every((request) => request.authorization === `token ${ACTIONS_TOKEN}`)).toBe(true);
    expect(github.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    expect(github.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
  });

  it('keeps one comment per key', async () => {
    await upsert('scenario a', { commentKey: 'api' });
    await upsert('scenario b', { commentKey: 'api-v2' });
    await upsert('scenario a again', { commentKey: 'api' });
    const bodies = github.comments(owner, repo, issueNumber).map((comment) => comment.body);
    expect(bodies).toEqual([
      `${commentMarker('api')}\nscenario a again`,
      `${commentMarker('api-v2')}\nscenario b`,
    ]);
  });

  it('finds the marker on page 3 of 100-comment pages', async () => {
    for (let index = 0; index < 250; index++) {
      github.seedComment(owner, repo, issueNumber, ALICE, `chatter ${index}`);
    }
    const ours = github.seedComment(
      owner,
      repo,
      issueNumber,
      ACTIONS_BOT,
      `${commentMarker('default')}\nold`,
    );
    github.seedComment(owner, repo, issueNumber, ALICE, 'more chatter');

    const result = await upsert('new');
    expect(result).toMatchObject({ action: 'updated', id: ours.id });
    const pages = github.requests.filter(
      (request) => request.method === 'GET' && request.path.endsWith('/comments'),
    );
    expect(pages.map((request) => request.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(pages.every((request) => request.query.per_page === '100')).toBe(true);
    expect(github.comments(owner, repo, issueNumber)).toHaveLength(252);
  });

  it('ignores a marker in somebody else’s comment', async () => {
    const forged = github.seedComment(
      owner,
      repo,
      issueNumber,
      MALLORY,
      `${commentMarker('default')}\nforged`,
    );
    const result = await upsert('real');
    expect(result.action).toBe('created');
    expect(result.id).not.toBe(forged.id);
    expect(
      github.comments(owner, repo, issueNumber).find((comment) => comment.id === forged.id)?.body,
    ).toContain('forged');
  });

  it('matches by the token’s own login when it can read GET /user', async () => {
    github.seedComment(owner, repo, issueNumber, ACTIONS_BOT, `${commentMarker('default')}\nby the bot`);
    const result = await upsert('by alice', { token: PAT_TOKEN });
    expect(result.action).toBe('created');
    const again = await upsert('by alice, again', { token: PAT_TOKEN });
    expect(again).toMatchObject({ action: 'updated', id: result.id });
    expect(github.comments(owner, repo, issueNumber)).toHaveLength(2);
  });

  it('ends with exactly one comment, holding the newest body, when two runs race', async () => {
    const racing = await startFakeGitHub({ createBarrier: 2 });
    try {
      const client = () => getOctokitWithOptions(ACTIONS_TOKEN, { baseUrl: racing.url });
      const lines: string[] = [];
      const run = (body: string) =>
        upsertStickyComment({
          octokit: client(),
          owner,
          repo,
          issueNumber,
          commentKey: 'default',
          body,
          log: (line) => lines.push(line),
        });
      const results = await Promise.all([run('run one'), run('run two')]);

      const posts = racing.requests.filter((request) => request.method === 'POST');
      expect(posts).toHaveLength(2);
      const comments = racing.comments(owner, repo, issueNumber);
      expect(comments).toHaveLength(1);
      expect(new Set(results.map((result) => result.id))).toEqual(new Set([comments[0]?.id]));
      const newestPost = posts[posts.length - 1]?.body as { body: string };
      expect(comments[0]?.body).toBe(newestPost.body);
      expect(lines.some((line) => line.includes('concurrently'))).toBe(true);
    } finally {
      await racing.close();
    }
  });

  it('removes duplicates left by an earlier race when updating', async () => {
    const older = github.seedComment(owner, repo, issueNumber, ACTIONS_BOT, `${commentMarker('default')}\na`);
    github.seedComment(owner, repo, issueNumber, ACTIONS_BOT, `${commentMarker('default')}\nb`);
    const result = await upsert('c');
    expect(result).toMatchObject({ action: 'updated', id: older.id, removedDuplicates: 1 });
    expect(github.comments(owner, repo, issueNumber).map((comment) => comment.body)).toEqual([
      `${commentMarker('default')}\nc`,
    ]);
  });

  it('explains a permission failure with a hint', async () => {
    const blocked = getOctokit('ghp_unknown_token');
    await expect(
      upsertStickyComment({
        octokit: blocked,
        owner,
        repo,
        issueNumber,
        commentKey: 'default',
        body: 'x',
        log: () => {},
      }),
    ).rejects.toMatchObject({
      code: 'GITHUB_COMMENT_FAILED',
      message: expect.stringMatching(
        /^listing the PR comments failed: 401 Bad credentials; the token was refused/,
      ),
    });
  });
});

describe('confirmPullRequestHead', () => {
  it('accepts the PR whose head is the measured commit, and rejects others', async () => {
    const headSha = 'f'.repeat(40);
    github.seedPullRequest(owner, repo, 12, headSha);
    const octokit = getOctokit(ACTIONS_TOKEN);
    await expect(
      confirmPullRequestHead({ octokit, owner, repo, number: 12, headSha }),
    ).resolves.toBeUndefined();
    await expect(
      confirmPullRequestHead({ octokit, owner, repo, number: 12, headSha: '0'.repeat(40) }),
    ).rejects.toThrow(/whose head f{40} is not the measured commit/);
    await expect(
      confirmPullRequestHead({ octokit, owner, repo, number: 404, headSha }),
    ).rejects.toMatchObject({
      code: 'REPORT_REJECTED',
      message:
        'reading PR #404, which the report names, failed: 404 Not Found; the workflow needs `permissions: pull-requests: read`',
    });
    expect(
      github.requests.filter((request) => request.path === `/repos/${owner}/${repo}/pulls/12`),
    ).toHaveLength(2);
  });
});
