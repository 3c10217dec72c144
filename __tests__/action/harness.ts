// Runs the bundled action (dist/index.js) as a child process the way the Actions runner does: inputs as
// INPUT_* variables, the event payload in a file, outputs and the job summary in files read back afterwards.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bundledEntry = join(projectRoot, 'dist', 'index.js');
export const OWNER = 'acme';
export const REPO = 'shop';
export const RUN_ID = 4242;

/** A few hundred requests per side: enough for a 20 KB/request leak, cheap for a flat app. */
export const QUICK_LOAD = { rounds: '8', requests: '100', warmup: '100', 'settle-ms': '500' };

/**
 * The CLI's smallest load for tests that check what a run leaves behind, not what it measures. A few hundred
 * requests resolve only big leaks: at the 8 B default threshold the resolution rule calls them inconclusive
 * (exit 2), so the threshold is 1 MiB and a run that ends well passes.
 */
export function quickCliLoad(rounds: number): string[] {
  return [
    '--threshold',
    '1048576',
    '--rounds',
    String(rounds),
    '--requests',
    '50',
    '--warmup',
    '50',
    '--settle-ms',
    '0',
    '--heap-snapshots',
    'never',
  ];
}

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface RunActionOptions {
  /** Input names as in action.yml (`fail-on`); the runner turns them into INPUT_FAIL-ON. */
  inputs: Record<string, string>;
  eventName: string;
  payload: Record<string, unknown>;
  workspace: string;
  apiUrl?: string;
  sha?: string;
  /** Another copy of the bundle (the self-contained test). */
  entry?: string;
  cwd?: string;
  /** Set last, e.g. RUNNER_TOOL_CACHE, which the inherited environment never passes. */
  env?: Record<string, string>;
}

/** Deletes every directory handed to it when the file's tests end. */
export function tempDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/** GITHUB_OUTPUT's file command format: `name<<delimiter`, the value's lines, then the delimiter. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const header = lines[index]?.match(/^([^<=]+)<<(.+)$/);
    if (!header) continue;
    const [, name = '', delimiter] = header;
    const end = lines.indexOf(delimiter ?? '', index + 1);
    outputs[name] = lines.slice(index + 1, end).join('\n');
    index = end;
  }
  return outputs;
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const runnerDir = mkdtempSync(join(tmpdir(), 'leakwatch-runner-'));
  try {
    const eventPath = join(runnerDir, 'event.json');
    const outputPath = join(runnerDir, 'output');
    const summaryPath = join(runnerDir, 'summary.md');
    writeFileSync(eventPath, JSON.stringify(options.payload));
    writeFileSync(outputPath, '');
    writeFileSync(summaryPath, '');
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(INPUT_|GITHUB_|ACTIONS_|RUNNER_)/.test(name)),
    );
    const inputs = Object.fromEntries(
      Object.entries(options.inputs).map(([name, value]) => [
        `INPUT_${name.replace(/ /g, '_').toUpperCase()}`,
        value,
      ]),
    );
    const env = {
      ...inherited,
      ...inputs,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_EVENT_NAME: options.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_SHA: options.sha ?? '',
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: String(RUN_ID),
      RUNNER_TEMP: runnerDir,
      ...options.env,
    };
    const child = spawn(process.execPath, [options.entry ?? bundledEntry], {
      cwd: options.cwd ?? options.workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
      summary: readFileSync(summaryPath, 'utf8'),
    };
  } finally {
    rmSync(runnerDir, { recursive: true, force: true });
  }
}

export interface GitRepo {
  dir: string;
  /** main's commit. */
  baseSha: string;
  /** The PR branch's commit. */
  headSha: string;
}

/** A real repository: `base` committed on main, then `head`'s changes (null deletes) on a branch. */
export function makeGitRepo(
  dir: string,
  base: Record<string, string>,
  head: Record<string, string | null>,
): GitRepo {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
      encoding: 'utf8',
    }).trim();
  const write = (files: Record<string, string | null>) => {
    for (const [path, content] of Object.entries(files)) {
      if (content === null) rmSync(join(dir, path), { force: true });
      else {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
    }
  };
  git('init', '-q', '-b', 'main');
  write(base);
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  const baseSha = git('rev-parse', 'HEAD');
  git('checkout', '-q', '-b', 'bump');
  write(head);
  git('add', '-A');
  git('commit', '-q', '--allow-empty', '-m', 'head');
  return { dir, baseSha, headSha: git('rev-parse', 'HEAD') };
}

/** A zero-dependency app: every request retains `leakBytes` in a module-level array. */
export function tinyServer(leakBytes: number): string {
  return `const http = require('node:http');
const kept = [];
http
  .createServer((request, response) => {
    // A Buffer keeps exactly leakBytes (in external); 'x'.repeat() would build a small rope of shared halves.
    if (${leakBytes} > 0) kept.push(Buffer.alloc(${leakBytes}, 1));
    response.end('ok');
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;
}

/** package.json and package-lock.json of an app whose lockfile lists `dependencies` (name → version). */
export function npmFiles(dependencies: Record<string, string> = {}): Record<string, string> {
  const manifest = { name: 'tiny', version: '1.0.0', private: true, dependencies };
  const packages: Record<string, unknown> = { '': { name: 'tiny', version: '1.0.0', dependencies } };
  for (const [name, version] of Object.entries(dependencies)) {
    packages[`node_modules/${name}`] = { version, license: 'MIT' };
  }
  const lock = { name: 'tiny', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
  return {
    'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'package-lock.json': `${JSON.stringify(lock, null, 2)}\n`,
  };
}

export function pullRequestPayload(repo: GitRepo, number: number): Record<string, unknown> {
  const sameRepo = { full_name: `${OWNER}/${REPO}` };
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      head: { sha: repo.headSha, ref: 'bump', repo: sameRepo },
      base: { sha: repo.baseSha, ref: 'main', repo: sameRepo },
    },
    repository: { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER } },
  };
}

export function workflowRunPayload(
  headSha: string,
  pullRequestNumbers: number[],
  conclusion = 'failure',
): Record<string, unknown> {
  return {
    action: 'completed',
    workflow_run: {
      id: 777,
      head_sha: headSha,
      conclusion,
      pull_requests: pullRequestNumbers.map((number) => ({ number })),
    },
    repository: { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER } },
  };
}
