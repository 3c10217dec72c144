// The action's entry (action.yml → dist/index.js): read the config once, run, perform the result. Known failures
// come back in the result; anything thrown is a bug.
import * as fs from 'node:fs/promises';
import * as core from '@actions/core';
import { type GitHubClient, githubClient } from '../github/client.js';
import { tryReadActionConfig } from './config.js';
import { runAction } from './run-action.js';

try {
  // One client for the run: the throttling plugin spaces its writes (comment, check) as GitHub asks.
  let client: GitHubClient | undefined;
  const octokit = (token: string) => {
    client ??= githubClient(token, { log: core.info });
    return client;
  };
  const deps = { octokit, log: core, fs };
  const result = await runAction(tryReadActionConfig(), deps);
  for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(result.summary).write();
  if (result.failure) core.setFailed(result.failure);
} catch (error) {
  core.setFailed(
    `leakwatch: unexpected error (this is a bug, please report it):\n${(error as Error)?.stack ?? error}`,
  );
}
