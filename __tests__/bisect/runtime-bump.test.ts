// A PR that moves .nvmrc and bumps a package: bisection weighs the Node.js change as one candidate among the
// bumps (head's Node.js on base, no package changed), so either can be the culprit. Real installs, real Node.js
// binaries from the npm registry's `node` package, real measurements.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRefs } from '../../src/pipeline/pipeline.js';
import { renderCompareText } from '../../src/report/terminal.js';
import { gitIn, makeRepo, makeTempDir, removeDir, worktreeDirs } from '../prepare/fixtures.js';

const demoDir = join(import.meta.dirname, '..', '..', 'demo');
const tempDirs: string[] = [];
afterAll(async () => {
  for (const dir of tempDirs) await removeDir(dir);
});
// Neither is the Node.js running the tests, so where each app ran shows in its log; cached by node-bump.test.ts.
const [baseNode, headNode] = ['22.21.1', '22.22.0'];

/** `main` pins baseNode with `baseDeps`, `bump` pins headNode with `headDeps`, each with npm's lockfile. */
async function makeRepoWith(
  server: string,
  baseDeps: Record<string, string>,
  headDeps: Record<string, string>,
) {
  const repo = await makeRepo();
  tempDirs.push(repo.dir);
  const commit = async (node: string, dependencies: Record<string, string>, message: string) => {
    const manifest = { name: 'runtime-bump', private: true, dependencies };
    await repo.commit(
      { 'package.json': `${JSON.stringify(manifest, null, 2)}\n`, '.nvmrc': `${node}\n` },
      `${message} (manifest)`,
    );
    execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], {
      cwd: repo.dir,
      stdio: 'ignore',
    });
    await repo.commit({}, message);
  };
  await repo.commit(
    {
      // Each app says which Node.js runs it, so the logs show where each candidate ran.
      'server.js': `console.log('app on', process.version);\n${server}`,
      'scenario.yml': await readFile(join(demoDir, 'scenario.yml'), 'utf8'),
    },
    'app',
  );
  await commit(baseNode, baseDeps, 'base');
  gitIn(repo.dir, 'checkout', '-q', '-b', 'bump');
  await commit(headNode, headDeps, 'node and a package bumped');
  gitIn(repo.dir, 'checkout', '-q', 'main');
  return repo.dir;
}

async function compare(repoDir: string, lines: string[], scenario?: string) {
  const logDir = await makeTempDir('runtime-bump-logs');
  tempDirs.push(logDir);
  const outcome = await compareRefs({
    repoDir,
    baseRef: 'main',
    headRef: 'bump',
    workingDirectory: '.',
    settings: { startCommand: 'node server.js', warmupRequests: 1500, requestsPerRound: 150, rounds: 10 },
    scenario,
    isForced: false,
    nodeSource: 'npm',
    logDir,
    log: (line) => lines.push(line),
  });
  if (outcome.kind !== 'compared') throw new Error(`skipped: ${outcome.reason}`);
  return { report: outcome.report, logDir };
}

/** The Node.js versions the apps of one candidate folder (bisect/N) ran on, base's first. */
function appNodes(logDir: string, folder: string): string[] {
  const dir = join(logDir, folder);
  return ['base.log', 'head.log']
    .filter((name) => readdirSync(dir).includes(name))
    .map((name) => /app on (v\S+)/.exec(readFileSync(join(dir, name), 'utf8'))?.[1] ?? '?');
}

describe('bisection of a PR that bumps Node.js and a package', () => {
  it('measures head’s Node.js on base as a candidate, finds it clean and names the package', async () => {
    const server = await readFile(join(demoDir, 'base', 'server.js'), 'utf8');
    const repoDir = await makeRepoWith(
      server,
      { axios: '0.27.2', 'contentful-sdk-core': '6.4.5' },
      { axios: '0.27.2', 'contentful-sdk-core': '6.4.4' },
    );
    const lines: string[] = [];
    const { report, logDir } = await compare(repoDir, lines, 'scenario.yml');
    const log = lines.join('\n');
    expect(report.comparison.verdict, JSON.stringify(report.comparison.finding)).toBe('regression');
    expect([report.base.nodeVersion, report.head.nodeVersion]).toEqual([`v${baseNode}`, `v${headNode}`]);
    const bisection = report.bisection;
    expect(bisection, log).toBeDefined();
    expect(bisection?.units.map((unit) => unit.lead)).toEqual(['node', 'contentful-sdk-core']);
    const steps = bisection?.steps.map((step) => [step.packages, step.verdict]);
    // The first half is the runtime alone: base's packages on head's Node.js, measured clean.
    expect(steps?.[0], log).toEqual([['node'], 'clean']);
    expect(appNodes(logDir, 'bisect/1')).toEqual([`v${baseNode}`, `v${headNode}`]);
    expect(bisection?.outcome, JSON.stringify(steps)).toMatchObject({ kind: 'culprit', isConfirmed: true });
    if (bisection?.outcome.kind !== 'culprit') return;
    expect(bisection.outcome.changes.map((change) => change.name)).toEqual(['contentful-sdk-core']);
    // The package alone runs on base's Node.js, as base does.
    expect(appNodes(logDir, 'bisect/2')).toEqual([`v${baseNode}`, `v${baseNode}`]);
    expect(worktreeDirs(repoDir)).toEqual([repoDir]);
  }, 900_000);

  it('names "Node.js a → b" when only the runtime leaks, and the remedy says to stay on base’s', async () => {
    // A stand-in for a runtime that leaks (as one Node 20 minor's fetch did): the same app code keeps 4 KB per
    // request only on head's Node.js. The package bump (ms) changes nothing.
    const server = `const http = require('node:http');
require('ms');
const kept = [];
http
  .createServer((request, response) => {
    if (process.version === 'v${headNode}') kept.push(Buffer.alloc(4096, 1));
    response.end('ok');
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;
    const repoDir = await makeRepoWith(server, { ms: '2.1.2' }, { ms: '2.1.3' });
    const lines: string[] = [];
    const { report } = await compare(repoDir, lines);
    const log = lines.join('\n');
    expect(report.comparison.verdict, JSON.stringify(report.comparison.finding)).toBe('regression');
    const bisection = report.bisection;
    const steps = bisection?.steps.map((step) => [step.packages, step.verdict, step.isConfirmation]);
    // The runtime half regresses; measured alone already, that run is its confirmation.
    expect(steps, log).toEqual([[['node'], 'regression', true]]);
    expect(bisection?.outcome).toMatchObject({ kind: 'culprit' });
    if (bisection?.outcome.kind !== 'culprit') return;
    expect(bisection.outcome.changes).toEqual([
      { name: 'node', from: baseNode, to: headNode, kind: 'minor', direct: true, isRuntime: true },
    ]);
    expect(bisection.remedy).toMatchObject({ name: 'node', advice: 'stay', version: baseNode, steps: [] });
    const text = renderCompareText(report).replace(/\s+/g, ' ');
    expect(text).toContain(`culprit Node.js ${baseNode} → ${headNode} (`);
    expect(text).toContain(
      `remedy Node.js ${headNode} leaks where ${baseNode} does not: stay on Node.js ${baseNode}`,
    );
    expect(worktreeDirs(repoDir)).toEqual([repoDir]);
  }, 900_000);
});
