// Hostile or broken inputs, one row each: the CLI's flags, the action's inputs and events (full, measure,
// report), and the files a PR controls (scenario, package.json, report.json). Every row asserts the exit code,
// the verdict output (action) and the message; none may pass, crash as "a bug", or run an injected command.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  makeGitRepo,
  npmFiles,
  OWNER,
  projectRoot,
  quickCliLoad,
  REPO,
  runAction,
  tempDirs,
} from '../action/harness.js';

const tempDir = tempDirs('leakwatch-hostile-');
const cli = join(projectRoot, 'dist', 'cli.js');
const quick = quickCliLoad(8);
const server = `require('node:http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n`;

interface Outcome {
  status: number | null;
  text: string;
  verdict?: string;
}

function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Outcome {
  const run = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? tempDir(),
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
  });
  return { status: run.status, text: run.stdout + run.stderr };
}

/** A repo whose head changes package.json to `headManifest`. */
function repoWithHead(headManifest: Record<string, unknown>): { dir: string; base: string; head: string } {
  const dir = tempDir();
  const repo = makeGitRepo(
    dir,
    { 'package.json': '{"name":"a","version":"1.0.0"}', 'server.js': server },
    { 'package.json': JSON.stringify({ name: 'a', version: '1.0.1', ...headManifest }) },
  );
  return { dir, base: repo.baseSha, head: repo.headSha };
}

function compareRefsCli(manifest: Record<string, unknown>, extra: string[] = []): Outcome & { dir: string } {
  const repo = repoWithHead(manifest);
  const args = ['compare', '--base', repo.base, '--head', repo.head, '--repo', repo.dir, '--force'];
  return { ...runCli([...args, '--start', 'node server.js', ...quick, ...extra]), dir: repo.dir };
}

function appWithScenario(scenario: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'server.js'), server);
  writeFileSync(join(dir, 'scenario.json'), scenario);
  return dir;
}

async function action(
  inputs: Record<string, string>,
  eventName: string,
  payload: Record<string, unknown>,
  workspace = tempDir(),
): Promise<Outcome> {
  const run = await runAction({ inputs, eventName, payload, workspace });
  return { status: run.exitCode, text: run.stdout + run.stderr, verdict: run.outputs.verdict };
}

const sha = (char: string) => char.repeat(40);
const repository = { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER } };
function pullRequestFromFork(): Record<string, unknown> {
  return {
    pull_request: {
      number: 5,
      head: { sha: sha('a'), repo: { full_name: 'mallory/shop' } },
      base: { sha: sha('b'), repo: { full_name: `${OWNER}/${REPO}` } },
    },
    repository,
  };
}
function workflowRun(conclusion: string, headRepo = `${OWNER}/${REPO}`): Record<string, unknown> {
  return {
    workflow_run: {
      id: 9,
      head_sha: sha('a'),
      conclusion,
      html_url: 'https://github.com/acme/shop/actions/runs/9',
      pull_requests: [],
      head_repository: { full_name: headRepo },
    },
    repository,
  };
}
function workspaceWithReport(text: string): string {
  const workspace = tempDir();
  mkdirSync(join(workspace, 'leakwatch-report', 'default'), { recursive: true });
  writeFileSync(join(workspace, 'leakwatch-report', 'default', 'report.json'), text);
  return workspace;
}
const noComment = { comment: 'never' };

interface Row {
  name: string;
  run: () => Outcome | Promise<Outcome>;
  status: number;
  verdict?: string;
  message: RegExp;
}

const usage = /hint: Run `leakwatch --help`/;
const rows: Row[] = [
  // CLI arguments: user errors with hints, never "this is a bug".
  {
    name: 'unknown flag',
    run: () => runCli(['compare', '--bogus']),
    status: 2,
    message: /Unknown option '--bogus'[\s\S]*hint:/,
  },
  {
    name: 'rounds 1e308',
    run: () => runCli(['measure', '--rounds', '1e308']),
    status: 2,
    message: /`--rounds` must be a whole number > 0 and ≤ 1000/,
  },
  {
    name: 'rounds 0',
    run: () => runCli(['measure', '--rounds', '0']),
    status: 2,
    message: /`--rounds` must be/,
  },
  {
    name: 'requests 1e9',
    run: () => runCli(['measure', '--requests', '1e9']),
    status: 2,
    message: /`--requests` must be .* ≤ 1000000/,
  },
  {
    name: 'warm-up 1e12',
    run: () => runCli(['measure', '--warmup', '1e12']),
    status: 2,
    message: /`--warmup` must be/,
  },
  {
    name: 'rate 1e9',
    run: () => runCli(['measure', '--rate', '1e9']),
    status: 2,
    message: /`--rate` must be/,
  },
  {
    name: 'heap cap 99999999999999999999',
    run: () => runCli(['measure', '--heap-cap-mb', '99999999999999999999']),
    status: 2,
    message: /`--heap-cap-mb` must be .* ≤ 262144/,
  },
  {
    name: 'heap cap above the machine',
    run: () => runCli(['measure', '--dir', appWithScenario('{}'), '--heap-cap-mb', '262144']),
    status: 2,
    message: /more than this machine's \d+ MB of memory/,
  },
  { name: 'heap cap 8', run: () => runCli(['measure', '--heap-cap-mb', '8']), status: 2, message: /≥ 16/ },
  {
    name: 'connections 5000',
    run: () => runCli(['measure', '--connections', '5000']),
    status: 2,
    message: /`--connections` must be .* ≤ 1000/,
  },
  {
    name: 'settle 1e9 ms',
    run: () => runCli(['measure', '--settle-ms', '1e9']),
    status: 2,
    message: /`--settle-ms` must be/,
  },
  {
    name: 'negative time budget',
    run: () => runCli(['measure', '--time-budget-ms=-5']),
    status: 2,
    message: /`--time-budget-ms` must be/,
  },
  {
    name: 'threshold abc',
    run: () => runCli(['measure', '--threshold', 'abc']),
    status: 2,
    message: /`--threshold` must be/,
  },
  {
    name: 'time limit 0',
    run: () => runCli(['measure', '--time-limit-minutes', '0']),
    status: 2,
    message: /`--time-limit-minutes` must be/,
  },
  {
    name: 'time limit 1e6',
    run: () => runCli(['measure', '--time-limit-minutes', '1000000']),
    status: 2,
    message: /≤ 1440/,
  },
  {
    name: 'heap snapshots sometimes',
    run: () => runCli(['measure', '--heap-snapshots', 'sometimes']),
    status: 2,
    message: /must be one of/,
  },
  {
    name: 'compare without --head',
    run: () => runCli(['compare', '--base', 'main']),
    status: 2,
    message: usage,
  },
  {
    name: 'unknown command',
    run: () => runCli(['explode']),
    status: 2,
    message: /unknown command `explode`/,
  },
  // Refs: never an option, never a command.
  {
    name: '--base=--upload-pack=touch PWNED',
    run: () => {
      const repo = repoWithHead({});
      const out = runCli([
        'compare',
        `--base=--upload-pack=touch ${join(repo.dir, 'PWNED')}`,
        '--head',
        repo.head,
        '--repo',
        repo.dir,
      ]);
      return { ...out, text: out.text + (existsSync(join(repo.dir, 'PWNED')) ? ' RAN' : '') };
    },
    status: 2,
    message: /is not a git ref leakwatch accepts(?![\s\S]*RAN)/,
  },
  {
    name: 'ref with ..',
    run: () => runCli(['compare', '--base', 'a..b', '--head', 'HEAD', '--repo', repoWithHead({}).dir]),
    status: 2,
    message: /is not a git ref/,
  },
  {
    name: 'ref with a shell character',
    run: () => runCli(['compare', '--base', 'main;id', '--head', 'HEAD', '--repo', repoWithHead({}).dir]),
    status: 2,
    message: /is not a git ref/,
  },
  {
    name: 'ref with a newline',
    run: () => runCli(['compare', '--base', 'main\nx', '--head', 'HEAD', '--repo', repoWithHead({}).dir]),
    status: 2,
    message: /is not a git ref/,
  },
  {
    name: 'ref that does not exist',
    run: () => {
      const repo = repoWithHead({});
      return runCli(['compare', '--base', 'nope', '--head', repo.head, '--repo', repo.dir]);
    },
    status: 2,
    message: /Cannot find nope/,
  },
  {
    name: 'not a git repository',
    run: () => runCli(['compare', '--base', 'main', '--head', 'HEAD', '--repo', tempDir()]),
    status: 2,
    message: /not a git repository/,
  },
  // Scenario files (a PR's head can set them).
  {
    name: 'scenario rounds 1e308',
    run: () => {
      const dir = appWithScenario('{"rounds": 1e308}');
      return runCli(['measure', '--dir', dir, '--scenario', join(dir, 'scenario.json')]);
    },
    status: 2,
    message: /rounds/,
  },
  {
    name: 'scenario requests 1e9',
    run: () => {
      const dir = appWithScenario('{"requestsPerRound": 1000000000}');
      return runCli(['measure', '--dir', dir, '--scenario', join(dir, 'scenario.json')]);
    },
    status: 2,
    message: /requestsPerRound/,
  },
  {
    name: 'scenario heap cap 1e8',
    run: () => {
      const dir = appWithScenario('{"heapCapMb": 100000000}');
      return runCli(['measure', '--dir', dir, '--scenario', join(dir, 'scenario.json')]);
    },
    status: 2,
    message: /heapCapMb/,
  },
  {
    name: 'scenario that is not JSON',
    run: () => {
      const dir = appWithScenario('{{{');
      return runCli(['measure', '--dir', dir, '--scenario', join(dir, 'scenario.json')]);
    },
    status: 2,
    message: /scenario/i,
  },
  // package.json of the head (the PR's).
  {
    name: 'packageManager npm@10;touch${IFS}X;#',
    run: () => {
      const out = compareRefsCli({ packageManager: 'npm@10;touch${IFS}X;#' });
      return { ...out, text: out.text + (existsSync(join(out.dir, 'X')) ? ' RAN' : '') };
    },
    status: 2,
    message: /packageManager `npm@10;touch\$\{IFS\}X;#` is not(?![\s\S]*RAN)/,
  },
  {
    name: 'packageManager pnpm@latest',
    run: () => compareRefsCli({ packageManager: 'pnpm@latest' }),
    status: 2,
    message: /PACKAGE_MANAGER_INVALID|is not `<npm\|yarn\|pnpm\|bun>@<exact version>`/,
  },
  {
    name: 'install script that fails',
    run: () => compareRefsCli({ scripts: { preinstall: 'exit 3' } }, ['--install', 'npm install']),
    status: 2,
    message: /head failed to install/,
  },
  // The probe channel and the socket path.
  {
    name: 'an app that floods the probe socket with garbage',
    run: () => {
      const dir = tempDir();
      writeFileSync(
        join(dir, 'server.js'),
        `const s = require('node:net').createConnection(process.env.LEAKWATCH_PROBE_SOCKET, () => { for (let i = 0; i < 500; i++) s.write('not json\\n'); }); s.on('error', () => {});\n${server}`,
      );
      return runCli(['measure', '--dir', dir, '--start', 'node server.js', ...quick]);
    },
    status: 2,
    message: /probe channel misbehaved: more than 100 malformed lines/,
  },
  {
    name: 'a stray non-JSON line on the probe socket is ignored and counted',
    run: () => {
      const dir = tempDir();
      writeFileSync(
        join(dir, 'server.js'),
        `const s = require('node:net').createConnection(process.env.LEAKWATCH_PROBE_SOCKET, () => s.write('hello?\\n'));\n${server}`,
      );
      const out = runCli(['measure', '--dir', dir, '--start', 'node server.js', ...quick]);
      return { ...out, status: out.status === 1 ? 0 : out.status };
    },
    status: 0,
    message: /ignored 1 malformed lines on the probe channel/,
  },
  {
    name: 'a 200-character TMPDIR',
    run: () => {
      const tmp = join(tempDir(), 'x'.repeat(200));
      mkdirSync(tmp);
      const dir = tempDir();
      writeFileSync(join(dir, 'server.js'), server);
      const out = runCli(['measure', '--dir', dir, '--start', 'node server.js', ...quick], {
        env: { TMPDIR: tmp },
      });
      return { ...out, status: out.status === 1 ? 0 : out.status };
    },
    status: 0,
    message: /round 8\/8/,
  },
  // The action: events that would hand a fork's code a write token.
  {
    name: 'pull_request_target, fork head, full',
    run: () => action({ ...noComment }, 'pull_request_target', pullRequestFromFork()),
    status: 1,
    verdict: 'error',
    message: /refused: `pull_request_target` with a head from another repository[\s\S]*fork-safe pair/,
  },
  {
    name: 'pull_request_target, fork head, measure',
    run: () => action({ mode: 'measure' }, 'pull_request_target', pullRequestFromFork()),
    status: 1,
    verdict: 'error',
    message: /refused: `pull_request_target`/,
  },
  {
    name: 'workflow_run, fork head, full',
    run: () => action({ ...noComment }, 'workflow_run', workflowRun('success', 'mallory/shop')),
    status: 1,
    verdict: 'error',
    message: /refused: `workflow_run`/,
  },
  {
    name: 'report mode on pull_request',
    run: () => action({ mode: 'report', ...noComment }, 'pull_request', pullRequestFromFork()),
    status: 1,
    verdict: 'error',
    message: /`mode: report` runs in a `workflow_run` workflow/,
  },
  {
    name: 'action input rounds 1e308',
    run: () => action({ mode: 'measure', rounds: '1e308' }, 'push', { repository }),
    status: 1,
    verdict: 'error',
    message: /`rounds` must be .* ≤ 1000/,
  },
  {
    name: 'action input heap cap 1e20',
    run: () => action({ mode: 'measure', 'heap-cap-mb': '99999999999999999999' }, 'push', { repository }),
    status: 1,
    verdict: 'error',
    message: /`heap-cap-mb` must be/,
  },
  {
    name: 'action input time limit 0',
    run: () => action({ mode: 'measure', 'time-limit-minutes': '0' }, 'push', { repository }),
    status: 1,
    verdict: 'error',
    message: /`time-limit-minutes` must be/,
  },
  {
    name: 'action input fail-on sometimes',
    run: () => action({ mode: 'measure', 'fail-on': 'sometimes' }, 'push', { repository }),
    status: 1,
    verdict: 'error',
    message: /`fail-on` must be one of/,
  },
  // report.json (written by a fork's measure job).
  {
    name: 'report.json that is not JSON',
    run: () =>
      action(
        { mode: 'report', ...noComment },
        'workflow_run',
        workflowRun('success'),
        workspaceWithReport('{"verdict": "unchanged"'),
      ),
    status: 1,
    verdict: 'error',
    message: /Rejected .*report\.json: not JSON/,
  },
  {
    name: 'report.json off the schema',
    run: () =>
      action(
        { mode: 'report', ...noComment },
        'workflow_run',
        workflowRun('success'),
        workspaceWithReport('{"comparison": {"verdict": "unchanged"}}'),
      ),
    status: 1,
    verdict: 'error',
    message: /does not match the report schema/,
  },
  {
    name: 'no report.json after a failed measure job',
    run: () => action({ mode: 'report', ...noComment }, 'workflow_run', workflowRun('failure')),
    status: 1,
    verdict: 'error',
    message: /the measure job failed \(conclusion: failure\)[\s\S]*actions\/runs\/9/,
  },
  {
    name: 'no report.json after a cancelled measure job',
    run: () => action({ mode: 'report', ...noComment }, 'workflow_run', workflowRun('cancelled')),
    status: 1,
    verdict: 'error',
    message: /the measure job failed \(conclusion: cancelled\)/,
  },
  {
    name: 'lockfile that is not JSON',
    run: () => {
      const dir = tempDir();
      const repo = makeGitRepo(
        dir,
        { ...npmFiles({ a: '1.0.0' }), 'server.js': server },
        { 'package-lock.json': '{oops' },
      );
      return runCli(['compare', '--base', repo.baseSha, '--head', repo.headSha, '--repo', dir]);
    },
    status: 2,
    message: /package-lock\.json/,
  },
];

describe('hostile and broken inputs', () => {
  it('has at least 40 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });
  it.concurrent.each(rows)(
    '$name',
    async (row) => {
      const outcome = await row.run();
      expect(outcome.text).not.toMatch(/this is a bug/);
      expect(outcome.text).toMatch(row.message);
      expect(outcome.status, outcome.text).toBe(row.status);
      if (row.verdict !== undefined) expect(outcome.verdict).toBe(row.verdict);
    },
    120_000,
  );
});
