// For fork PRs, GitHub's workflow_run payload lists no pull request, so report mode takes the number from the
// untrusted report and must confirm it here: the PR's current head must be the commit the run measured.

import { LeakwatchError } from '../settings/errors.js';
import { type GitHubClient, githubCallFailed } from './client.js';

export interface ConfirmPullRequestOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  number: number;
  /** `workflow_run.head_sha` of the triggering run. */
  headSha: string;
}

export async function confirmPullRequestHead(options: ConfirmPullRequestOptions): Promise<void> {
  const { octokit, owner, repo, number, headSha } = options;
  let actualHeadSha: string;
  try {
    const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
    actualHeadSha = data.head.sha;
  } catch (error) {
    const doing = `reading PR #${number}, which the report names,`;
    const failed = githubCallFailed(
      { doing, permission: 'pull-requests: read', code: 'REPORT_REJECTED', mayBeForkToken: false },
      error,
    );
    throw new LeakwatchError(failed.code, failed.message, {
      hint: 'A forged report may name a PR that does not exist.',
      cause: error,
    });
  }
  if (actualHeadSha !== headSha) {
    throw new LeakwatchError(
      'REPORT_REJECTED',
      `The report names PR #${number}, whose head ${actualHeadSha} is not the measured commit ${headSha}.`,
      {
        hint: 'The PR moved on since the measuring run (its newer run will report), or the report is forged.',
      },
    );
  }
}
