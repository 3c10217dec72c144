// One sticky PR comment per comment key, found by its hidden marker and edited in place.
//
// Race strategy: two runs for the same PR (a quick re-push, a matrix) can both list no comment and both
// create one. So after creating, the run lists again; if several marker comments exist, the OLDEST is kept,
// it gets the body of the NEWEST (the latest-created run's report), and the others are deleted, with a 404
// from a delete the other run already did counted as done. Every racer computes the same outcome from the
// same listing, so they converge on exactly one comment whichever order their requests land in.

import { commentMarker } from '../report/escape.js';
import type { LeakwatchError } from '../settings/errors.js';
import { type GitHubClient, githubCallFailed } from './client.js';

export interface UpsertCommentOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
  commentKey: string;
  /** The rendered comment; the key's marker is prepended when it is missing. */
  body: string;
  log: (line: string) => void;
  /**
   * Logins whose marker comments count as ours. Default: the token's user from `GET /user`; the Actions
   * token cannot read that, and then any bot account (github-actions[bot], an app) counts.
   */
  authorLogins?: string[];
}

export interface UpsertCommentResult {
  action: 'created' | 'updated';
  id: number;
  url: string;
  /** Extra marker comments deleted (left by earlier races). */
  removedDuplicates: number;
}

interface IssueComment {
  id: number;
  body?: string;
  html_url: string;
  user: { login: string; type: string } | null;
}

type AuthorFilter = (comment: IssueComment) => boolean;

async function resolveAuthorFilter(options: UpsertCommentOptions): Promise<AuthorFilter> {
  let logins = options.authorLogins;
  if (!logins) {
    try {
      const { data } = await options.octokit.rest.users.getAuthenticated();
      logins = [data.login];
    } catch {
      options.log('The token cannot read its own user (expected for GITHUB_TOKEN): matching bot comments.');
      return (comment) => comment.user?.type === 'Bot';
    }
  }
  const allowed = new Set(logins);
  return (comment) => comment.user !== null && allowed.has(comment.user.login);
}

/** Listing needs read access; every edit needs write access to the PR's conversation. */
function githubFailure(doing: string, error: unknown): LeakwatchError {
  const permission = doing.startsWith('listing') ? 'pull-requests: read' : 'pull-requests: write';
  return githubCallFailed({ doing, permission, code: 'GITHUB_COMMENT_FAILED' }, error);
}

/** The four calls the sticky comment needs, each failing with the call and the permission it needs. */
function commentCalls(
  options: UpsertCommentOptions,
  marker: string,
  isOurs: (comment: IssueComment) => boolean,
) {
  const { octokit, owner, repo, issueNumber, log } = options;
  const listOurs = async (): Promise<IssueComment[]> => {
    try {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: issueNumber,
        per_page: 100,
      });
      return (comments as IssueComment[])
        .filter((comment) => isOurs(comment) && (comment.body ?? '').trimStart().startsWith(marker))
        .sort((a, b) => a.id - b.id);
    } catch (error) {
      throw githubFailure('listing the PR comments', error);
    }
  };
  const update = async (commentId: number, newBody: string): Promise<IssueComment> => {
    try {
      const { data } = await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: commentId,
        body: newBody,
      });
      return data as IssueComment;
    } catch (error) {
      throw githubFailure('updating the comment', error);
    }
  };
  const create = async (body: string): Promise<IssueComment> => {
    try {
      const { data } = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: issueNumber,
        body,
      });
      return data as IssueComment;
    } catch (error) {
      throw githubFailure('creating the comment', error);
    }
  };
  const removeAll = async (extras: IssueComment[]): Promise<void> => {
    for (const extra of extras) {
      try {
        await octokit.rest.issues.deleteComment({ owner, repo, comment_id: extra.id });
        log(`Deleted duplicate leakwatch comment ${extra.id}.`);
      } catch (error) {
        // The other racer deleted it first.
        if ((error as { status?: number }).status !== 404)
          throw githubFailure('deleting a duplicate comment', error);
      }
    }
  };
  return { listOurs, update, create, removeAll };
}

/** Creates the key's comment or edits it in place, and cleans up duplicates left by concurrent runs. */
export async function upsertStickyComment(options: UpsertCommentOptions): Promise<UpsertCommentResult> {
  const { log } = options;
  const marker = commentMarker(options.commentKey);
  const body = options.body.trimStart().startsWith(marker) ? options.body : `${marker}\n${options.body}`;
  const { listOurs, update, create, removeAll } = commentCalls(
    options,
    marker,
    await resolveAuthorFilter(options),
  );

  const existing = await listOurs();
  const [oldest, ...extras] = existing;
  if (oldest) {
    const updated = await update(oldest.id, body);
    await removeAll(extras);
    log(`Updated leakwatch comment ${updated.html_url}`);
    return { action: 'updated', id: updated.id, url: updated.html_url, removedDuplicates: extras.length };
  }

  const created = await create(body);

  const afterCreate = await listOurs();
  const [keep, ...duplicates] = afterCreate;
  const newest = afterCreate[afterCreate.length - 1];
  if (!keep || !newest) {
    log(`Created leakwatch comment ${created.html_url}`);
    return { action: 'created', id: created.id, url: created.html_url, removedDuplicates: 0 };
  }
  if (duplicates.length === 0) {
    // A concurrent run may already have deleted ours in favour of an older one: report the one that remains.
    const isOurs = keep.id === created.id;
    log(`${isOurs ? 'Created' : "Kept the concurrent run's"} leakwatch comment ${keep.html_url}`);
    return { action: isOurs ? 'created' : 'updated', id: keep.id, url: keep.html_url, removedDuplicates: 0 };
  }
  log(`Another run commented concurrently: keeping comment ${keep.id}, removing ${duplicates.length}.`);
  const kept = await update(keep.id, newest.body ?? body);
  await removeAll(duplicates);
  return {
    action: kept.id === created.id ? 'created' : 'updated',
    id: kept.id,
    url: kept.html_url,
    removedDuplicates: duplicates.length,
  };
}
