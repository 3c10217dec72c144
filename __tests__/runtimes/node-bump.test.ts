// A repository whose only change is .nvmrc: the bundled action lists a `node` change, does not skip, and runs
// each side (install and app) on its own Node.js: from the npm registry's `node` package, or from the runner's
// tool cache as actions/setup-node leaves it.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import {
  type GitRepo,
  makeGitRepo,
  npmFiles,
  QUICK_LOAD,
  runAction,
  tempDirs,
  tinyServer,
} from '../action/harness.js';

const tempDir = tempDirs('leakwatch-node-bump-');
// Neither is the Node that runs the tests (20, 22.23 or 24 in CI), so each side's version proves where it ran.
const [baseNode, headNode] = ['22.21.1', '22.22.0'];
// leakwatch's default: a folder every sandbox user can read, kept between runs.
const npmCache = join(tmpdir(), 'leakwatch-node');

function measure(
  repo: GitRepo,
  nodeSource: string,
  env: Record<string, string>,
  installCommand = `node -p "'installed with ' + process.version"`,
) {
  return runAction({
    inputs: {
      comment: 'never',
      'start-command': 'node server.js',
      // The install runs on the side's runtime too: its log says which.
      'install-command': installCommand,
      'node-source': nodeSource,
      ...QUICK_LOAD,
      // QUICK_LOAD's few requests cannot resolve 8 B/request (the run would be inconclusive); this test is about
      // where each side ran, so it asks only whether either side leaks a kilobyte per request.
      threshold: '1024',
    },
    eventName: 'push',
    payload: { ref: 'refs/heads/bump', before: repo.baseSha, after: repo.headSha },
    workspace: repo.dir,
    sha: repo.headSha,
    env,
  });
}

function readRun(repo: GitRepo) {
  const reportDir = join(repo.dir, 'leakwatch-report');
  const logs = readdirSync(join(reportDir, 'logs'))
    .filter((name) => name.endsWith('.log'))
    .map((name) => readFileSync(join(reportDir, 'logs', name), 'utf8'))
    .join('\n');
  return { report: JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')), logs };
}

function expectEachSideOnItsOwnNode(repo: GitRepo, result: Awaited<ReturnType<typeof runAction>>) {
  const output = result.stdout + result.stderr;
  // Not a regression: at QUICK_LOAD's 100 warm-up requests both sides may still show the same JIT growth
  // (pre-existing); this test is about where each side ran.
  expect(['no-regression', 'pre-existing'], output).toContain(result.outputs.verdict);
  expect(output).toContain('dependency changes: 1 (Node.js from .nvmrc)');
  const { report, logs } = readRun(repo);
  expect(report.dependencyChanges).toEqual([
    { name: 'node', from: baseNode, to: headNode, kind: 'minor', direct: true, isRuntime: true },
  ]);
  expect([report.base.nodeVersion, report.head.nodeVersion]).toEqual([`v${baseNode}`, `v${headNode}`]);
  expect(report.environment.nodeVersion).toBe(process.version);
  expect(logs).toContain(`installed with v${baseNode}`);
  expect(logs).toContain(`installed with v${headNode}`);
  expect(result.summary).toContain(`Node.js ${baseNode} → ${headNode}`);
  expect(result.summary).toMatch(/<code>node<\/code> +\| +[\d.]+ → [\d.]+ +\|/);
  expect(result.summary).toContain(`base app v${baseNode}, head app v${headNode}`);
  return output;
}

describe('a change whose only change is .nvmrc', () => {
  const repo = makeGitRepo(
    tempDir(),
    { ...npmFiles(), 'server.js': tinyServer(0), '.nvmrc': `v${baseNode}\n` },
    { '.nvmrc': `${headNode}\n` },
  );

  it('runs each side on its own Node.js from the npm registry, and is not skipped', async () => {
    const result = await measure(repo, 'npm', {});
    const output = expectEachSideOnItsOwnNode(repo, result);
    expect(output).toContain(
      `node: base runs on ${baseNode} (.nvmrc says ${baseNode}; from the npm registry)`,
    );
  });

  it("takes each side's Node.js from the runner's tool cache where setup-node put it", async () => {
    // The tool cache's layout: node/<version>/<arch>/bin/node, and a <arch>.complete marker.
    // Readable by the sandbox users, as a runner's tool cache is.
    const toolCache = tempDir();
    chmodSync(toolCache, 0o755);
    for (const version of [baseNode, headNode]) {
      const dir = join(toolCache, 'node', version, arch());
      mkdirSync(join(dir, 'bin'), { recursive: true });
      symlinkSync(join(npmCache, version, 'node_modules', 'node', 'bin', 'node'), join(dir, 'bin', 'node'));
      writeFileSync(`${dir}.complete`, '');
    }
    const result = await measure(repo, 'tool-cache', { RUNNER_TOOL_CACHE: toolCache });
    const output = expectEachSideOnItsOwnNode(repo, result);
    expect(output).toContain(`head on ${headNode} (.nvmrc says ${headNode}; from the tool cache)`);
  });
});

describe('a change from a version to an alias in .nvmrc', () => {
  const repo = makeGitRepo(
    tempDir(),
    { ...npmFiles(), 'server.js': tinyServer(0), '.nvmrc': `${baseNode}\n` },
    { '.nvmrc': 'lts/jod\n' },
  );

  it('resolves lts/jod to the newest Node.js 22 on the npm registry and runs head on it', async () => {
    const result = await measure(repo, 'npm', {});
    const output = result.stdout + result.stderr;
    expect(output).toContain('dependency changes: 1');
    const { report, logs } = readRun(repo);
    const [change] = report.dependencyChanges;
    // The newest 22.x the registry lists, whatever it is today: newer than base's, and what head ran on.
    const newest = execFileSync('npm', ['view', 'node@22.x', 'version', '--json'], { encoding: 'utf8' });
    const latest22 = semver.maxSatisfying([JSON.parse(newest)].flat(), '22.x');
    expect(change).toEqual({
      name: 'node',
      from: baseNode,
      to: latest22,
      kind: 'minor',
      direct: true,
      isRuntime: true,
    });
    expect(report.head.nodeVersion).toBe(`v${latest22}`);
    expect(logs).toContain(`installed with v${latest22}`);
    expect(output).toContain(`head on ${latest22} (.nvmrc says lts/jod; from the npm registry)`);
  });
});

describe('a dependency bump in a project that pins a Node.js the runner does not have', () => {
  // Older than any npm the runner has supports: npm 11 on Node 14 is a SyntaxError.
  const pinned = '14.21.3';
  const repo = makeGitRepo(
    tempDir(),
    { ...npmFiles({ 'left-pad': '1.2.0' }), 'server.js': tinyServer(0), '.nvmrc': `${pinned}\n` },
    npmFiles({ 'left-pad': '1.3.0' }),
  );

  it('installs with npm and runs both sides on the pinned Node.js, not on the node on PATH', async () => {
    // A real app pinning 14 fails to build on the runner's 20, on both sides, and that says nothing of the bump.
    const result = await measure(
      repo,
      'npm',
      {},
      'npm ci && node -p "\'installed with \' + process.version"',
    );
    const output = result.stdout + result.stderr;
    expect(output).toContain(
      `node: base and head run on ${pinned} (.nvmrc says ${pinned}; from the npm registry)`,
    );
    const { report, logs } = readRun(repo);
    expect(report.dependencyChanges.map((change: { name: string }) => change.name)).toEqual(['left-pad']);
    expect([report.base.nodeVersion, report.head.nodeVersion]).toEqual([`v${pinned}`, `v${pinned}`]);
    expect(logs).toContain(`installed with v${pinned}`);
    expect(logs).not.toContain(`installed with ${process.version}`);
  });
});
