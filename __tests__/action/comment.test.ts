// The bundled action against a local fake of GitHub's REST API: the sticky comment is created, then edited in
// place, survives a race, stays under the size limit and carries hostile text inert; gating sets the exit code.

import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIONS_BOT,
  ACTIONS_TOKEN,
  type FakeGitHub,
  type RecordedRequest,
  startFakeGitHub,
} from '../helpers/fake-github.js';
import {
  type GitRepo,
  makeGitRepo,
  npmFiles,
  OWNER,
  pullRequestPayload,
  QUICK_LOAD,
  REPO,
  RUN_ID,
  type RunActionOptions,
  runAction,
  tempDirs,
  tinyServer,
} from './harness.js';

const GITHUB_COMMENT_LIMIT = 65_536;
const tempDir = tempDirs('leakwatch-action-');

let github: FakeGitHub;
/** Base and head differ in server.js only: no dependency changed. */
let unchanged: GitRepo;

beforeAll(async () => {
  github = await startFakeGitHub();
  unchanged = makeGitRepo(
    tempDir(),
    { ...npmFiles(), 'server.js': tinyServer(0) },
    { 'server.js': tinyServer(64_000) },
  );
});

afterAll(async () => {
  await github.close();
});

function renderLikeGitHub(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

function bodyOf(request: RecordedRequest | undefined): string {
  return (request?.body as { body?: string } | undefined)?.body ?? '';
}

/** The only link a comment may carry is the footer's link to the workflow run. */
const RUN_LINK = `<a href="https://github.com/${OWNER}/${REPO}/actions/runs/${RUN_ID}">`;

function anchors(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*>/gi)].map((match) => match[0]);
}

function run(repo: GitRepo, number: number, inputs: Record<string, string>, server = github) {
  const options: RunActionOptions = {
    inputs: { 'github-token': ACTIONS_TOKEN, 'start-command': 'node server.js', ...QUICK_LOAD, ...inputs },
    eventName: 'pull_request',
    payload: pullRequestPayload(repo, number),
    workspace: repo.dir,
    sha: repo.headSha,
    apiUrl: server.url,
  };
  return runAction(options);
}

/** POSTs to the PR's thread and PATCHes or DELETEs of comments that live in it. */
function writesTo(server: FakeGitHub, number: number) {
  const ids = new Set(server.comments(OWNER, REPO, number).map((comment) => String(comment.id)));
  return server.requests.filter(
    (request) =>
      (request.method === 'POST' && request.path === `/repos/${OWNER}/${REPO}/issues/${number}/comments`) ||
      (request.method !== 'GET' && ids.has(request.path.split('/issues/comments/')[1] ?? '')),
  );
}

describe('sticky comment', () => {
  it('creates the comment, then edits it in place on the next run, finding it past the first page', async () => {
    const number = 11;
    // 150 other comments push ours onto page 2 of the listing.
    for (let index = 0; index < 150; index++) {
      github.seedComment(OWNER, REPO, number, { login: 'alice', type: 'User' }, `review note ${index}`);
    }
    const first = await run(unchanged, number, { comment: 'always' });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.outputs.verdict).toBe('skipped');
    const ours = () =>
      github.comments(OWNER, REPO, number).filter((comment) => comment.body.includes('<!-- leakwatch:'));
    expect(ours()).toHaveLength(1);
    const created = ours()[0];
    expect(created?.user).toEqual(ACTIONS_BOT);
    expect(created?.body).toContain('<!-- leakwatch:default -->');
    expect(created?.body).toContain('⏭️ leakwatch skipped');
    expect(first.outputs['comment-url']).toBe(created?.html_url);

    const before = github.requests.length;
    const second = await run(unchanged, number, { comment: 'always' });
    expect(second.exitCode, second.stderr).toBe(0);
    const secondRequests = github.requests.slice(before);
    expect(secondRequests.filter((request) => request.method === 'POST')).toHaveLength(0);
    const patches = secondRequests.filter((request) => request.method === 'PATCH');
    expect(patches.map((request) => request.path)).toEqual([
      `/repos/${OWNER}/${REPO}/issues/comments/${created?.id}`,
    ]);
    // The listing was paginated to find the comment on page 2.
    expect(secondRequests.some((request) => request.method === 'GET' && request.query.page === '2')).toBe(
      true,
    );
    expect(ours().map((comment) => comment.id)).toEqual([created?.id]);
    expect(github.comments(OWNER, REPO, number)).toHaveLength(151);
    expect(second.outputs['comment-url']).toBe(created?.html_url);
  });

  it('leaves exactly one comment when three runs race to create it', async () => {
    // Creations are held until all three arrive, so every run saw no comment when it listed.
    const racy = await startFakeGitHub({ createBarrier: 3 });
    try {
      const number = 12;
      const runs = await Promise.all(
        [1, 2, 3].map(() => run(unchanged, number, { comment: 'always' }, racy)),
      );
      for (const result of runs) expect(result.exitCode, result.stderr).toBe(0);
      expect(racy.requests.filter((request) => request.method === 'POST')).toHaveLength(3);
      const comments = racy.comments(OWNER, REPO, number);
      expect(comments).toHaveLength(1);
      expect(comments[0]?.body).toContain('⏭️ leakwatch skipped');
      // Every run reports the comment that survived, never one a racer deleted.
      const urls = runs.map((result) => result.outputs['comment-url']);
      expect(urls, runs.map((result) => result.stdout).join('\n')).toEqual(
        urls.map(() => comments[0]?.html_url),
      );
    } finally {
      await racy.close();
    }
  });

  it('skips without measuring or commenting when no dependency changed (comment: on-change)', async () => {
    const number = 13;
    const before = github.requests.length;
    const result = await run(unchanged, number, {});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.outputs.verdict).toBe('skipped');
    expect(result.stdout).not.toContain('warming up');
    expect(result.summary).toContain('⏭️ leakwatch skipped');
    expect(result.summary).toContain('no dependency changes');
    expect(github.requests.slice(before)).toEqual([]);
  });
});

describe('hostile and huge dependency changes', () => {
  it('keeps a lockfile bump of 3,000 hostile package names inert and under the comment limit', async () => {
    // Each name is cut to 100 characters in the comment: markup first, then characters whose escapes are long.
    const markup = [
      '<img src=x onerror=alert(1)>',
      '</details><!--',
      '[x](javascript:alert(1))@admin**b**|c|',
      '<script>alert(1)</script>',
    ];
    const hostile = (index: number) =>
      `evil-${String(index).padStart(4, '0')}${markup[index % markup.length]}${'{|}~'.repeat(25)}`;
    const names = Array.from({ length: 3000 }, (_, index) => hostile(index));
    const baseVersions = Object.fromEntries(names.map((name) => [name, '1.0.0']));
    const headVersions = Object.fromEntries(names.map((name) => [name, `2.0.0-${'{|}~'.repeat(20)}`]));
    const repo = makeGitRepo(
      tempDir(),
      { ...npmFiles(baseVersions), 'server.js': tinyServer(0) },
      npmFiles(headVersions),
    );
    const number = 14;
    // The app requires none of these packages; a no-op install keeps the test off the registry.
    const result = await run(repo, number, { 'install-command': 'node -e 0', 'fail-on': 'never' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.outputs.verdict).not.toBe('error');

    const posts = writesTo(github, number);
    expect(posts.map((request) => request.method)).toEqual(['POST']);
    const body = bodyOf(posts[0]);
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain('shortened to fit GitHub’s comment limit');
    expect(body).toMatch(/and [\d,]+ more/);
    expect(body).toContain('evil-0000');
    const html = renderLikeGitHub(body);
    expect(html).not.toMatch(/<img|<script/i);
    expect(anchors(html)).toEqual([RUN_LINK]);
    expect(html.match(/<details>/g)?.length ?? 0).toBe(html.match(/<\/details>/g)?.length ?? 0);
    expect(body).not.toContain('@admin');
    expect(body.indexOf('<!--')).toBe(0);
    expect(body.lastIndexOf('<!--')).toBe(0);

    // The job summary keeps what the comment dropped.
    expect(result.summary.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    expect(result.summary).not.toContain('shortened to fit');
    const summaryHtml = renderLikeGitHub(result.summary);
    expect(summaryHtml).not.toMatch(/<img|<script/i);
    expect(anchors(summaryHtml)).toEqual([RUN_LINK]);
  });
});

describe('fail-on', () => {
  // Both sides' install fails: an error verdict, fast, and its log tail is hostile and prints the environment.
  const failingInstall =
    "env; echo '</pre><img src=x onerror=alert(1)> <details><summary>@admin</summary>'; exit 3";

  it.each([
    ['regression', 1],
    ['error', 1],
    ['never', 0],
  ] as const)(
    'an install error with fail-on %s exits %i and comments the error',
    async (failOn, exitCode) => {
      const number = 20 + ['regression', 'error', 'never'].indexOf(failOn);
      const result = await run(unchanged, number, {
        'only-on-dependency-change': 'false',
        'install-command': failingInstall,
        'fail-on': failOn,
      });
      expect(result.exitCode, result.stderr).toBe(exitCode);
      expect(result.outputs.verdict).toBe('error');
      if (exitCode === 1) expect(result.stdout).toContain('::error::leakwatch: could not measure');
      const posts = writesTo(github, number);
      expect(posts).toHaveLength(1);
      const body = bodyOf(posts[0]);
      expect(body).toContain('## 💥 could not measure');
      expect(body).toContain('failed to install');
      // Nothing was measured, and nothing reads as if it had been.
      expect(body).not.toMatch(/\b0 requests\b/);
      expect(result.summary).not.toMatch(/\b0 requests\b/);
      // The log tail reached the comment, inert, and without the action's token or inputs.
      expect(body).toContain('&#60;/pre&#62;&#60;img src=x onerror=alert(1)&#62;');
      expect(renderLikeGitHub(body)).not.toMatch(/<img/);
      expect(body).not.toContain(ACTIONS_TOKEN);
      expect(body).not.toContain('INPUT_');
      expect(body).toContain('PATH=');
    },
  );

  it('rejects invalid inputs, naming every problem, and fails the step', async () => {
    const result = await run(unchanged, 23, { rounds: 'many', 'fail-on': 'sometimes', comment: 'never' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.verdict).toBe('error');
    expect(result.stdout).toContain('`rounds` must be a whole number');
    expect(result.stdout).toContain('`fail-on` must be one of');
    expect(writesTo(github, 23)).toEqual([]);
  });
});
