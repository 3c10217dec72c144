import { copyFile, readFile, rm, truncate } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffHeapSnapshots } from '../../src/explain/heap/diff-heap-snapshots.js';
import { parseSnapshot } from '../../src/explain/heap/parse-snapshot.js';
import { takeFixtureSnapshots } from './snapshot-fixture.js';

let dir = '';
let path = '';
let paths: [string, string, string] = ['', '', ''];

beforeAll(async () => {
  const taken = await takeFixtureSnapshots('map');
  dir = taken.dir;
  paths = taken.paths;
  path = taken.paths[2];
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseSnapshot', () => {
  it('reads the same nodes, edges, locations and strings as JSON.parse', async () => {
    const parsed = await parseSnapshot({ path, detail: 'full', maxStringChars: 50 });
    const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, number[]> & { strings: string[] };
    expect(Array.from(parsed.nodes)).toEqual(json.nodes);
    expect(Array.from(parsed.edges)).toEqual(json.edges);
    expect(Array.from(parsed.locations)).toEqual(json.locations);
    expect(parsed.strings).toEqual(json.strings.map((text) => text.slice(0, 50)));
    const heapIds = (json.nodes as number[]).filter(
      (_, i) => i % parsed.nodeFieldCount === parsed.nodeField.id && (json.nodes[i] as number) & 1,
    );
    expect(parsed.maxHeapObjectId).toBe(Math.max(...heapIds));
  });

  it('keeps only the highest id when asked for ids', async () => {
    const full = await parseSnapshot({ path, detail: 'full' });
    const ids = await parseSnapshot({ path, detail: 'ids' });
    expect(ids.maxHeapObjectId).toBe(full.maxHeapObjectId);
    expect(ids.nodes.length).toBe(0);
    expect(ids.strings).toEqual([]);
  });

  it('rejects a truncated snapshot with a LeakwatchError', async () => {
    const cut = `${path}.cut`;
    await copyFile(path, cut);
    await truncate(cut, 200_000);
    await expect(parseSnapshot({ path: cut, detail: 'full' })).rejects.toMatchObject({
      code: 'HEAP_SNAPSHOT_MALFORMED',
    });
  });

  it('refuses snapshots passed out of time order', async () => {
    const reversed: [string, string, string] = [paths[2], paths[1], paths[0]];
    await expect(
      diffHeapSnapshots({ snapshotPaths: reversed, requestsBetween: { firstToLast: 1000 } }),
    ).rejects.toMatchObject({ code: 'HEAP_DIFF_ORDER' });
  });
});
