// An optional check run with a stable name on the measured commit, so branch protection can require leakwatch
// by that name whatever the workflow and job are called. The step's own failure gates the merge either way.

import { type GitHubClient, githubCallFailed } from './client.js';

export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'skipped';

export interface PublishCheckRunOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  conclusion: CheckConclusion;
  title: string;
  /** Markdown, at most 65,535 characters (GitHub's limit for a check run's summary). */
  summary: string;
  detailsUrl?: string;
}

export const MAX_CHECK_SUMMARY_CHARS = 65_535;

/** Creates the check run, completed; returns its URL. */
export async function publishCheckRun(options: PublishCheckRunOptions): Promise<string> {
  const { octokit, owner, repo } = options;
  const { data } = await octokit.rest.checks
    .create({
      owner,
      repo,
      name: options.name,
      head_sha: options.headSha,
      status: 'completed',
      conclusion: options.conclusion,
      completed_at: new Date().toISOString(),
      ...(options.detailsUrl ? { details_url: options.detailsUrl } : {}),
      output: { title: options.title, summary: options.summary },
    })
    .catch((error: unknown) => {
      const doing = `publishing the check run \`${options.name}\``;
      throw githubCallFailed({ doing, permission: 'checks: write', code: 'GITHUB_CHECK_FAILED' }, error);
    });
  return data.html_url ?? data.url;
}
