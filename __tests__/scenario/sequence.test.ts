import { describe, expect, it } from 'vitest';
import { createRequestSequence } from '../../src/scenario/sequence.js';
import type { RequestSpec, Scenario } from '../../src/scenario/types.js';

const take = (scenario: Scenario, seed: number, count: number): RequestSpec[] => {
  const next = createRequestSequence(scenario, seed);
  return Array.from({ length: count }, () => next());
};

const templated: Scenario = {
  name: 'templated',
  requests: [
    {
      method: 'post',
      path: '/items/{{seq}}?q={{random:12}}&n={{pick:a,b,c}}&id={{uuid}}',
      headers: { 'x-trace': '{{random:4}}', accept: 'application/json' },
      body: '{"long":"{{repeat:ab:3}}"}',
    },
  ],
};

describe('createRequestSequence', () => {
  it('expands every template function', () => {
    const [first, second] = take(templated, 1, 2) as [RequestSpec, RequestSpec];
    expect(first.method).toBe('POST');
    expect(first.path).toMatch(
      /^\/items\/1\?q=[A-Za-z0-9]{12}&n=[abc]&id=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(second.path).toMatch(/^\/items\/2\?/);
    expect(first.headers['x-trace']).toMatch(/^[A-Za-z0-9]{4}$/);
    expect(first.headers.accept).toBe('application/json');
    expect(first.body).toBe('{"long":"ababab"}');
    expect(first.headers).not.toBe(second.headers);
  });

  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = take(templated, 42, 200);
    expect(take(templated, 42, 200)).toEqual(a);
    const other = take(templated, 43, 200);
    expect(other.map((request) => request.path)).not.toEqual(a.map((request) => request.path));
    expect(new Set(a.map((request) => request.path)).size).toBe(200);
  });

  it('honours weights roughly and skips nothing it should pick', () => {
    const scenario: Scenario = {
      name: 'weighted',
      requests: [
        { path: '/a', weight: 3 },
        { path: '/b', weight: 1 },
        { path: '/c', weight: 0.5 },
      ],
    };
    const counts = new Map<string, number>();
    for (const request of take(scenario, 7, 9000))
      counts.set(request.path, (counts.get(request.path) ?? 0) + 1);
    // Expected 6000 / 2000 / 1000; a 10% band is over 6 standard deviations wide for these counts.
    expect(counts.get('/a')).toBeGreaterThan(5400);
    expect(counts.get('/a')).toBeLessThan(6600);
    expect(counts.get('/b')).toBeGreaterThan(1800);
    expect(counts.get('/b')).toBeLessThan(2200);
    expect(counts.get('/c')).toBeGreaterThan(900);
    expect(counts.get('/c')).toBeLessThan(1100);
  });

  it('picks every option of {{pick}}', () => {
    const scenario: Scenario = { name: 'pick', requests: [{ path: '/{{pick:x,y,z}}' }] };
    expect(new Set(take(scenario, 3, 300).map((request) => request.path))).toEqual(
      new Set(['/x', '/y', '/z']),
    );
  });
});
