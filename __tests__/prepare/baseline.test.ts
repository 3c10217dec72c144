import { afterAll, describe, expect, it } from 'vitest';
import { resolveBaseline } from '../../src/prepare/baseline.js';
import { LeakwatchError } from '../../src/settings/errors.js';
import { gitIn, makeRepo, makeTempDir, removeDir } from './fixtures.js';

const log = () => {};
const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await removeDir(dir);
});

/** main: c1 - c2 - (moreOnMain commits); feature branches at c2 and adds one commit. */
async function branchedRepo(moreOnMain: number) {
  const repo = await makeRepo();
  cleanup.push(repo.dir);
  await repo.commit({ 'a.txt': '1' }, 'c1');
  const forkPoint = await repo.commit({ 'a.txt': '2' }, 'c2');
  gitIn(repo.dir, 'checkout', '-q', '-b', 'feature');
  const feature = await repo.commit({ 'b.txt': 'feature' }, 'f1');
  gitIn(repo.dir, 'checkout', '-q', 'main');
  let mainTip = forkPoint;
  for (let index = 0; index < moreOnMain; index++)
    mainTip = await repo.commit({ 'a.txt': `main ${index}` }, `m${index}`);
  return { dir: repo.dir, forkPoint, feature, mainTip };
}

describe('resolveBaseline', () => {
  it('returns the merge base, not the tip of a base branch that moved on', async () => {
    const repo = await branchedRepo(2);
    const baseline = await resolveBaseline({ repoDir: repo.dir, baseRef: 'main', headRef: 'feature', log });
    expect(baseline).toEqual({ baseSha: repo.mainTip, headSha: repo.feature, mergeBaseSha: repo.forkPoint });
    expect(baseline.mergeBaseSha).not.toBe(baseline.baseSha);
  });

  it('deepens a shallow clone until the merge base is there', async () => {
    const repo = await branchedRepo(60);
    const clone = await makeTempDir('shallow');
    cleanup.push(clone);
    gitIn(clone, 'clone', '-q', '--depth', '1', '--branch', 'feature', `file://${repo.dir}`, '.');
    expect(gitIn(clone, 'rev-parse', '--is-shallow-repository')).toBe('true');

    const lines: string[] = [];
    const baseline = await resolveBaseline({
      repoDir: clone,
      baseRef: 'main',
      headRef: 'HEAD',
      log: (line) => lines.push(line),
    });
    expect(baseline).toEqual({ baseSha: repo.mainTip, headSha: repo.feature, mergeBaseSha: repo.forkPoint });
    expect(lines.some((line) => line.includes('fetching 50 more commits'))).toBe(true);
  });

  it('fails with the fetch-depth hint when the shallow clone cannot be deepened', async () => {
    const repo = await branchedRepo(3);
    const clone = await makeTempDir('shallow-offline');
    cleanup.push(clone);
    gitIn(clone, 'clone', '-q', '--depth', '1', '--no-single-branch', `file://${repo.dir}`, '.');
    gitIn(clone, 'remote', 'set-url', 'origin', `file://${repo.dir}-gone`);

    const error = await resolveBaseline({
      repoDir: clone,
      baseRef: 'origin/main',
      headRef: 'origin/feature',
      log,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LeakwatchError);
    expect((error as LeakwatchError).code).toBe('SHALLOW_CLONE');
    expect((error as LeakwatchError).hint).toContain('fetch-depth: 0');
  });

  it('lists the nearest existing refs when a ref is not in a full clone, with no shallow-clone advice', async () => {
    const repo = await branchedRepo(0);
    gitIn(repo.dir, 'branch', 'feature-two');
    gitIn(repo.dir, 'tag', 'v1.0.0');
    const error = await resolveBaseline({
      repoDir: repo.dir,
      baseRef: 'main',
      headRef: 'featrue',
      log,
    }).catch((caught: unknown) => caught);
    expect((error as LeakwatchError).code).toBe('REF_NOT_FOUND');
    expect((error as LeakwatchError).hint).toBe(
      'No branch, tag or commit is called featrue. The nearest that exist: feature, feature-two, main, v1.0.0.',
    );
  });

  it('keeps the fetch-depth hint for a ref missing from a shallow clone', async () => {
    const repo = await branchedRepo(1);
    const clone = await makeTempDir('shallow-missing-ref');
    cleanup.push(clone);
    gitIn(clone, 'clone', '-q', '--depth', '1', '--branch', 'feature', `file://${repo.dir}`, '.');
    const error = await resolveBaseline({
      repoDir: clone,
      baseRef: 'no-such-branch',
      headRef: 'HEAD',
      log,
    }).catch((caught: unknown) => caught);
    expect((error as LeakwatchError).code).toBe('REF_NOT_FOUND');
    expect((error as LeakwatchError).hint).toContain('fetch-depth: 0');
    expect((error as LeakwatchError).hint).not.toContain('nearest');
  });
});
