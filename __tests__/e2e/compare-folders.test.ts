// `compare --base-dir/--head-dir` (what `npm run demo` runs): the folders' own package.json and lockfiles are
// diffed, so the report names what differs between them; folders without one say plainly that nothing is diffed.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffFolders } from '../../src/deps/diff.js';
import type { CompareReport } from '../../src/model/report.js';
import { npmFiles, tinyServer } from '../action/harness.js';

const cli = resolve(import.meta.dirname, '../../dist/cli.js');
const demoDir = resolve(import.meta.dirname, '../../demo');
const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function folders(base: Record<string, string>, head: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leakwatch-folders-'));
  tempDirs.push(dir);
  for (const [side, files] of Object.entries({ base, head })) {
    await mkdir(join(dir, side));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, side, name), text);
  }
  return dir;
}

async function compare(dir: string) {
  const args = ['compare', '--base-dir', 'base', '--head-dir', 'head', '--start', 'node server.js'];
  const load = ['--warmup', '500', '--requests', '200', '--rounds', '8', '--settle-ms', '0'];
  const child = spawn(process.execPath, [cli, ...args, ...load, '--report', 'report.json'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.resume();
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as CompareReport;
  // The terminal wraps at 100 columns (the verdict line's continuation indented by 5): read joined back.
  const verdictLine = stdout.replace(/\n {5}(?=\S)/g, ' ').split('\n')[0];
  return { code, stdout: stdout.replace(/\s+/g, ' '), verdictLine, report };
}

describe('comparing two folders', () => {
  it("diffs the demo's two lockfiles: contentful-sdk-core 6.4.5 → 6.4.4, a direct downgrade", async () => {
    const diff = await diffFolders(join(demoDir, 'base'), join(demoDir, 'head'));
    expect(diff.changes.filter((change) => change.direct)).toEqual([
      { name: 'contentful-sdk-core', from: '6.4.5', to: '6.4.4', kind: 'downgrade', direct: true },
    ]);
    expect(diff.lockfilePath).toBe('package-lock.json');
  });

  it('names the bump that differs in the headline, next step and changed packages', async () => {
    const dir = await folders(
      { ...npmFiles({ ms: '2.1.2' }), 'server.js': tinyServer(0) },
      { ...npmFiles({ ms: '2.1.3' }), 'server.js': tinyServer(4096) },
    );
    const { code, stdout, verdictLine, report } = await compare(dir);
    expect(code, stdout).toBe(1);
    expect(report.dependencyChanges).toEqual([
      { name: 'ms', from: '2.1.2', to: '2.1.3', kind: 'patch', direct: true },
    ]);
    expect(verdictLine, stdout).toMatch(/^FAIL .* · ms 2\.1\.2 → 2\.1\.3$/);
    expect(stdout).toContain('Stay on ms 2.1.2 until a release without the leak');
    expect(stdout).toContain('changed packages:');
    expect(stdout).not.toContain('No dependency change');
  }, 120_000);

  it('says it compares two folders with no dependency diff when they hold no package.json', async () => {
    const dir = await folders({ 'server.js': tinyServer(0) }, { 'server.js': tinyServer(4096) });
    const { code, stdout, report } = await compare(dir);
    expect(code, stdout).toBe(1);
    expect(report.dependencyChanges).toBeUndefined();
    expect(stdout).toContain(
      'Comparing two folders with no dependency diff: look at what holds the growth below.',
    );
  }, 120_000);

  it('measures apps that ignore PORT and listen on a fixed port, as many real apps do', async () => {
    // Both sides would ask for the same port: without leakwatch moving them to their own, one dies (EADDRINUSE).
    const fixedPort = (leakBytes: number) =>
      tinyServer(leakBytes).replace('Number(process.env.PORT)', '47391');
    const dir = await folders({ 'server.js': fixedPort(0) }, { 'server.js': fixedPort(4096) });
    const { code, stdout, report } = await compare(dir);
    expect(code, stdout).toBe(1);
    expect(report.comparison.verdict).toBe('regression');
    expect(report.base.load?.requests).toBeGreaterThan(0);
  }, 120_000);
});
