import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DiffHeapSnapshotsResult,
  diffHeapSnapshots,
} from '../../src/explain/heap/diff-heap-snapshots.js';
import { type LeakScenario, ROUND_REQUESTS, takeFixtureSnapshots } from './snapshot-fixture.js';

const results = new Map<LeakScenario, DiffHeapSnapshotsResult>();
const dirs: string[] = [];

beforeAll(async () => {
  for (const scenario of [
    'map',
    'listener',
    'weakmap',
    'buffer',
    'control',
    'esm',
    'http-leak',
    'http-control',
  ] as const) {
    const { dir, paths } = await takeFixtureSnapshots(scenario);
    dirs.push(dir);
    results.set(
      scenario,
      await diffHeapSnapshots({
        snapshotPaths: paths,
        requestsBetween: { firstToLast: 2 * ROUND_REQUESTS },
        bumpedPackages: ['leaky-lib', 'esm-lib', 'unrelated-lib'],
        appRoot: dir,
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function growingGroup(scenario: LeakScenario, name: string) {
  const group = results.get(scenario)?.growing.find((candidate) => candidate.name === name);
  if (group === undefined)
    throw new Error(
      `${name} is not growing in ${scenario}: ${JSON.stringify(results.get(scenario)?.growing.map((g) => g.name))}`,
    );
  return group;
}

describe('diffHeapSnapshots', () => {
  it('names the class held in a module-level Map, at one object per request, in a bumped package', () => {
    const group = growingGroup('map', 'RateLimitedClient');
    expect(group.objectsPerRequest).toBeGreaterThanOrEqual(0.9);
    expect(group.objectsPerRequest).toBeLessThanOrEqual(1.1);
    expect(group.isSteady).toBe(true);
    expect(group.sourceFile).toMatch(/node_modules\/leaky-lib\/index\.js$/);
    expect(group.retainerPath?.steps.map((step) => `${step.name} ${step.edgeName}`)).toContain(
      'Map defaultsByInstance',
    );
    expect(group.retainerPathText).toContain(
      'Map (defaultsByInstance) in node_modules/leaky-lib/index.js → RateLimitedClient',
    );
    expect(group.packages).toEqual(['leaky-lib']);
    expect(group.bumpedPackages).toEqual(['leaky-lib']);
    expect(results.get('map')?.growing[0]?.name).toBe('RateLimitedClient');
  });

  it('attributes an ES module (file:// script names) to its package', () => {
    const group = growingGroup('esm', 'AxiosInstance');
    expect(group.objectsPerRequest).toBeGreaterThanOrEqual(0.9);
    expect(group.objectsPerRequest).toBeLessThanOrEqual(1.1);
    expect(group.retainerPathText).toContain(
      'Map (defaultsByInstance) in node_modules/esm-lib/dist/rate-limit.js → AxiosInstance',
    );
    expect(group.bumpedPackages).toEqual(['esm-lib']);
  });

  it('finds closures kept by an event listener array, with the array on the path', () => {
    const closures = growingGroup('listener', 'onTick');
    expect(closures.nodeType).toBe('closure');
    expect(closures.objectsPerRequest).toBeGreaterThanOrEqual(0.9);
    expect(closures.objectsPerRequest).toBeLessThanOrEqual(1.1);
    const steps = closures.retainerPath?.steps ?? [];
    expect(steps.some((step) => step.name === 'Array' && step.edgeName === 'tick')).toBe(true);
    expect(steps.some((step) => step.name === 'EventEmitter')).toBe(true);
    expect(closures.bumpedPackages).toEqual(['leaky-lib']);
    const contexts = growingGroup('listener', 'RequestContext');
    expect(contexts.objectsPerRequest).toBeGreaterThanOrEqual(0.9);
    expect(contexts.objectsPerRequest).toBeLessThanOrEqual(1.1);
    expect(contexts.retainerPath?.steps.some((step) => step.name === 'onTick()')).toBe(true);
    // Each listener alone keeps its scope and the request's context alive, so its retained size covers them.
    const scopes = growingGroup('listener', 'system / Context');
    const keptAlive = closures.bytesPerRequest + scopes.bytesPerRequest + contexts.bytesPerRequest;
    expect(closures.retainedBytesPerRequest).toBeGreaterThanOrEqual(keptAlive * 0.9);
    expect(closures.retainedBytesPerRequest).toBeLessThanOrEqual(keptAlive * 1.1);
  });

  it('finds WeakMap values whose keys outlive the request', () => {
    const group = growingGroup('weakmap', 'SessionData');
    expect(group.objectsPerRequest).toBeGreaterThanOrEqual(0.9);
    expect(group.objectsPerRequest).toBeLessThanOrEqual(1.1);
    expect(
      group.retainerPath?.steps.some((step) => step.name === 'WeakMap' && step.edgeName === 'sessionsByUser'),
    ).toBe(true);
    expect(
      growingGroup('weakmap', 'Object').retainerPath?.steps.some((step) => step.edgeName === 'users'),
    ).toBe(true);
  });

  it('counts Buffer contents, which live off the JS heap, in bytes per request', () => {
    const largest = results.get('buffer')?.growing[0];
    expect(largest?.bytesPerRequest).toBeGreaterThanOrEqual(4096 * 0.9);
    expect(largest?.bytesPerRequest).toBeLessThanOrEqual(4096 * 1.1);
    expect(largest?.objectsPerRequest).toBeGreaterThanOrEqual(0.9);
    expect(largest?.objectsPerRequest).toBeLessThanOrEqual(1.1);
  });

  it('reports nothing growing for a control that only churns a bounded cache', () => {
    expect(results.get('control')?.growing).toEqual([]);
  });

  it('tells a real HTTP server that keeps one record per request from one that keeps nothing', () => {
    const records = results.get('http-leak')?.growing[0];
    expect(records?.name).toBe('Object');
    expect(records?.objectsPerRequest).toBeGreaterThanOrEqual(0.9);
    expect(records?.objectsPerRequest).toBeLessThanOrEqual(1.1);
    expect(records?.retainerPath?.steps.some((step) => step.edgeName === 'visits')).toBe(true);
    // JIT code comes and goes while serving; it must stay out of "growing".
    expect(results.get('http-control')?.growing).toEqual([]);
  });
});
