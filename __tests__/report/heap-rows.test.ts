import { describe, expect, it } from 'vitest';
import type { HeapGrowthRow } from '../../src/model/report.js';
import { holderHop } from '../../src/report/headline.js';
import { foldHeapRows, isV8Internal, parseRetainerPath, relativeToApp } from '../../src/report/heap-rows.js';
import fixture from './fixtures/contentful-head-heap.json' with { type: 'json' };

const growing = fixture.growing as HeapGrowthRow[];
const fold = (bumpedPackages: string[] = ['contentful-sdk-core']) =>
  foldHeapRows(growing, { appDir: fixture.appDir, bumpedPackages });

describe('heap rows for people', () => {
  it('folds V8 internals into the object that holds them and keeps at most 5 rows', () => {
    const folded = fold();
    expect(folded.rows).toHaveLength(5);
    const names = folded.rows.map((row) => row.name);
    for (const internal of ['system / Context', '(object elements)', '(string)', 'system / PropertyArray'])
      expect(names).not.toContain(internal);
    // `system / Context` (784 B) is held by `wrap() (postForm)`: its bytes now count for `wrap()`.
    const wrap = folded.rows.find((row) => row.name === 'wrap()');
    const wrapOwn = growing.find((row) => row.name === 'wrap')?.bytesPerRequest ?? 0;
    expect(wrap?.bytesPerRequest).toBeGreaterThan(wrapOwn + 700);
    // Nothing is lost: shown rows, hidden rows and unowned internals add up to the diff's total.
    const total = growing.reduce((sum, row) => sum + row.bytesPerRequest, 0);
    const shown = folded.rows.reduce((sum, row) => sum + row.bytesPerRequest, 0);
    expect(shown + folded.hiddenBytesPerRequest + folded.internalBytesPerRequest).toBeCloseTo(total, 6);
    expect(folded.rows[0]?.bytesPerRequest).toBeGreaterThanOrEqual(folded.rows[1]?.bytesPerRequest ?? 0);
  });

  it('owns a row by where it is defined: axios’s closures are axios’s, not the bumped package’s', () => {
    const rows = fold().rows;
    const byName = new Map(rows.map((row) => [row.name, row]));
    expect(byName.get('wrap()')).toMatchObject({ owner: 'axios', isOwnerBumped: false });
    expect(byName.get('anonymous function')).toMatchObject({
      owner: 'contentful-sdk-core',
      isOwnerBumped: true,
    });
    // No definition (a plain Object): the closest package on its retainer path, here axios.
    expect(byName.get('Object')).toMatchObject({ owner: 'axios', definedIn: null });
    expect(fold([]).rows.every((row) => !row.isOwnerBumped)).toBe(true);
  });

  it('names files relative to the app, never the runner’s temp checkout', () => {
    const wrap = fold().rows.find((row) => row.name === 'wrap()');
    expect(wrap?.definedIn).toBe('node_modules/axios/lib/helpers/bind.js');
    expect(
      relativeToApp('/tmp/leakwatch-head-Xy12Ab/demo/server.js', '/tmp/leakwatch-head-Xy12Ab/demo'),
    ).toBe('server.js');
    expect(
      relativeToApp('/home/runner/_temp/leakwatch-base-a1B2c3/apps/web/lib/cache.js', '/elsewhere'),
    ).toBe('apps/web/lib/cache.js');
    expect(relativeToApp('file:///srv/app/node_modules/@scope/pkg/x.js', '/srv/app')).toBe(
      'node_modules/@scope/pkg/x.js',
    );
  });

  it('reads a retainer path back into hops with edges and files', () => {
    expect(
      parseRetainerPath(
        '… → createHttpClient() in server.js → Map (defaultsByInstance) in node_modules/a/b.js → wrap() (postForm) ×3',
      ),
    ).toEqual([
      { name: '…', edge: null, file: null },
      { name: 'createHttpClient()', edge: null, file: 'server.js' },
      { name: 'Map', edge: 'defaultsByInstance', file: 'node_modules/a/b.js' },
      { name: 'wrap()', edge: 'postForm', file: null },
    ]);
  });

  it('tells V8 internals from user objects', () => {
    expect(isV8Internal({ name: 'system / Context', nodeType: 'object' })).toBe(true);
    expect(isV8Internal({ name: '(object elements)', nodeType: 'array' })).toBe(true);
    expect(isV8Internal({ name: '(string)', nodeType: 'string' })).toBe(true);
    expect(isV8Internal({ name: '(closure)', nodeType: 'closure' })).toBe(false);
    expect(isV8Internal({ name: 'IncomingMessage', nodeType: 'object' })).toBe(false);
  });
});

describe('the holder named in the cause', () => {
  it('is the named collection on any shown path, even when the largest row’s cut path misses it', () => {
    const hop = (name: string, edge: string | null = null, file: string | null = null) => ({
      name,
      edge,
      file,
    });
    const row = (name: string, path: ReturnType<typeof hop>[]) => ({
      name,
      objectsPerRequest: 1,
      bytesPerRequest: 100,
      retainedBytesPerRequest: null,
      owner: 'axios',
      isOwnerBumped: false,
      definedIn: null,
      path,
    });
    const map = hop('Map', 'defaultsByInstance', 'node_modules/contentful-sdk-core/dist/index.js');
    const rows = [
      row('anonymous function', [hop('…'), hop('wrap()', null, 'node_modules/axios/lib/helpers/bind.js')]),
      row('Object', [hop('…'), hop('createHttpClient()', null, 'server.js'), map, hop('Object', 'headers')]),
    ];
    expect(holderHop(rows)).toEqual(map);
    expect(holderHop(rows.slice(0, 1))).toEqual(
      hop('wrap()', null, 'node_modules/axios/lib/helpers/bind.js'),
    );
    expect(holderHop([])).toBeNull();
  });
});
