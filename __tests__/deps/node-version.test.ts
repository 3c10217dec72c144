// Runtime pins read from real commits: .nvmrc, .node-version, .tool-versions, volta.node and an exact
// engines.node; the nearest to the app wins, and a difference between base and head is a `node` change.
import { describe, expect, it } from 'vitest';
import { makeRepo, trackedRepos } from './repo.js';

const { track, diff } = trackedRepos();
const manifest = (extra: object = {}) => JSON.stringify({ name: 'app', version: '1.0.0', ...extra });
const nodeChange = (from: string | null, to: string | null, kind: string) => ({
  name: 'node',
  from,
  to,
  kind,
  direct: true,
  isRuntime: true,
});

const bump = (
  base: Record<string, string | null>,
  head: Record<string, string | null>,
  workingDirectory = '.',
) =>
  diff(
    track(
      makeRepo([
        { files: { 'package.json': manifest(), ...base }, tag: 'base' },
        { files: head, tag: 'head' },
      ]),
    ),
    workingDirectory,
  );

describe('a runtime bump', () => {
  it('is a `node` change when only .nvmrc moves, listed first, with its semver kind', async () => {
    const result = await bump({ '.nvmrc': 'v20.15.1\n' }, { '.nvmrc': '20.16.0\n' });
    expect(result.changes).toEqual([nodeChange('20.15.1', '20.16.0', 'minor')]);
    expect(result.nodePins).toEqual({
      base: { spec: '20.15.1', source: '.nvmrc' },
      head: { spec: '20.16.0', source: '.nvmrc' },
    });
  });

  it('reads .node-version, .tool-versions, volta.node and an exact engines.node', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ '.node-version': '22.3.0\n' }, '22.3.0', '.node-version'],
      [{ '.tool-versions': '# runtimes\npython 3.12.1\nnodejs 22.4.1\n' }, '22.4.1', '.tool-versions'],
      [{ 'package.json': manifest({ volta: { node: '22.5.0' } }) }, '22.5.0', 'package.json volta.node'],
      [{ 'package.json': manifest({ engines: { node: '22.6.0' } }) }, '22.6.0', 'package.json engines.node'],
    ];
    for (const [head, spec, source] of cases) {
      const result = await bump({ '.nvmrc': '20.15.1' }, { '.nvmrc': null, ...head });
      expect(result.nodePins.head, source).toEqual({ spec, source });
      expect(result.changes, source).toEqual([nodeChange('20.15.1', spec, 'major')]);
    }
  });

  it('ignores an engines.node range: it states support, not the version the app runs on', async () => {
    const result = await bump({}, { 'package.json': manifest({ engines: { node: '>=20' } }) });
    expect(result.nodePins).toEqual({ base: null, head: null });
    expect(result.changes).toEqual([]);
  });

  it('takes the pin nearest the app: its own folder before the repository root', async () => {
    const result = await bump(
      { '.nvmrc': '20.15.1', 'apps/web/package.json': manifest(), 'apps/web/.node-version': '22.1.0' },
      { '.nvmrc': '20.16.0' },
      'apps/web',
    );
    expect(result.nodePins.head).toEqual({ spec: '22.1.0', source: 'apps/web/.node-version' });
    expect(result.changes).toEqual([]);
  });

  it('counts a range by its lowest version, and a pin added at head as added', async () => {
    expect((await bump({ '.nvmrc': '20' }, { '.nvmrc': '22' })).changes).toEqual([
      nodeChange('20', '22', 'major'),
    ]);
    expect((await bump({}, { '.nvmrc': '22.12.0' })).changes).toEqual([nodeChange(null, '22.12.0', 'added')]);
  });
});
