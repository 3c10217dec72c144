// Counting what the app answered (real autocannon against a real server) and deciding whether that traffic can
// carry a verdict (pure rules over the counts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkStubMisses } from '../../src/analysis/stub-misses.js';
import { checkTraffic } from '../../src/analysis/traffic.js';
import { sendLoad } from '../../src/load/load.js';
import { isExpectedStatus, TrafficCounter } from '../../src/load/traffic.js';
import type { StubTraffic, TrafficCounts } from '../../src/model/report.js';
import { createRequestSequence } from '../../src/scenario/sequence.js';
import type { Scenario } from '../../src/scenario/types.js';

let server: Server | undefined;
async function stopServer() {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
}
afterEach(stopServer);

/** A server whose answer depends on the path: /missing → 404 with a long page, /broken → 500, /hang never answers. */
async function startServer(): Promise<string> {
  let count = 0;
  const started = createServer((request, response) => {
    count++;
    if (request.url?.startsWith('/hang')) return;
    if (request.url?.startsWith('/drop') && count % 2 === 0) {
      request.socket.destroy();
      return;
    }
    if (request.url?.startsWith('/missing')) {
      response.writeHead(404, { 'content-type': 'text/html' });
      return response.end(`<h1>Not found: ${request.url}</h1>${'x'.repeat(1000)}`);
    }
    if (request.url?.startsWith('/broken')) {
      response.writeHead(500);
      return response.end('boom');
    }
    response.end('ok');
  });
  server = started;
  await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
}

async function load(scenario: Scenario, requests: number, timeoutSeconds?: number) {
  const url = await startServer();
  const traffic = new TrafficCounter(scenario.requests);
  const stats = await sendLoad({
    url,
    requests,
    connections: 4,
    nextRequest: createRequestSequence(scenario, 1),
    traffic,
    timeoutSeconds,
  });
  return { stats, counts: traffic.counts(), answered: traffic.answered };
}

describe('counting answers', () => {
  it('counts statuses per side and per template, and keeps the first failing answer', async () => {
    const scenario: Scenario = {
      name: 'mix',
      requests: [
        { path: '/ok/{{seq}}', weight: 2 },
        { path: '/missing/{{seq}}' },
        { path: '/missing/on-purpose', expectStatus: 404 },
        { path: '/broken', weight: 0.5 },
      ],
    };
    const { stats, counts } = await load(scenario, 900);
    expect(counts.requests).toBe(900);
    expect(stats.requests).toBe(900);
    const [ok, missing, onPurpose, broken] = counts.templates;
    expect(ok?.statuses).toEqual({ 200: ok?.answered });
    expect(ok?.failed).toBe(0);
    expect(missing?.statuses).toEqual({ 404: missing?.answered });
    expect(missing?.failed).toBe(missing?.answered);
    // Declared as expected: its 404s are answers, not failures.
    expect(onPurpose?.statuses).toEqual({ 404: onPurpose?.answered });
    expect(onPurpose?.failed).toBe(0);
    expect(broken?.failed).toBe(broken?.answered);
    const answered = [ok, missing, onPurpose, broken].reduce((sum, t) => sum + (t?.answered ?? 0), 0);
    expect(answered).toBe(900);
    expect(counts.failed).toBe((missing?.answered ?? 0) + (broken?.answered ?? 0));
    expect(counts.statuses).toEqual({
      200: ok?.answered,
      404: (missing?.answered ?? 0) + (onPurpose?.answered ?? 0),
      500: broken?.answered,
    });
    expect(counts.statusClasses).toEqual({
      '2xx': ok?.answered,
      '4xx': (missing?.answered ?? 0) + (onPurpose?.answered ?? 0),
      '5xx': broken?.answered,
    });
    expect(counts.failedStatuses).toEqual({ 404: missing?.answered, 500: broken?.answered });
    expect(counts.connectionErrors).toBe(0);
    expect(counts.firstFailure?.status).toBeOneOf([404, 500]);
    expect(counts.firstFailure?.path).toMatch(/^\/(missing\/\d+|broken)$/);
    expect(counts.firstFailure?.bodyStart.length).toBeLessThanOrEqual(300);
    if (counts.firstFailure?.status === 404) {
      expect(counts.firstFailure.bodyStart).toBe(
        `<h1>Not found: ${counts.firstFailure.path}</h1>${'x'.repeat(1000)}`.slice(0, 300),
      );
    }
  });

  it('counts connections the app closes without an answer, and timeouts', async () => {
    const dropped = await load({ name: 'drop', requests: [{ path: '/drop/{{seq}}' }] }, 200);
    expect(dropped.counts.requests).toBe(200);
    expect(dropped.counts.connectionErrors).toBeGreaterThan(50);
    expect(dropped.counts.failed).toBe(dropped.counts.connectionErrors);
    expect(dropped.answered + dropped.counts.connectionErrors).toBe(200);
    await stopServer();

    const hung = await load({ name: 'hang', requests: [{ path: '/hang' }] }, 4, 1);
    expect(hung.counts.timeouts).toBeGreaterThanOrEqual(4);
    expect(hung.counts.failed).toBe(hung.counts.requests);
    expect(hung.counts.firstError).toBe('request timed out');
  });

  it('counts connection errors and timeouts against the request template that met them', async () => {
    const dropped = await load(
      { name: 'drop-some', requests: [{ path: '/ok/{{seq}}' }, { path: '/drop/{{seq}}' }] },
      400,
    );
    const [ok, drop] = dropped.counts.templates;
    expect((ok?.sent ?? 0) + (drop?.sent ?? 0)).toBe(400);
    expect(ok).toMatchObject({ connectionErrors: 0, timeouts: 0, failed: 0 });
    expect(ok?.answered).toBe(ok?.sent);
    expect(drop?.connectionErrors).toBeGreaterThan(20);
    expect(drop?.failed).toBe(drop?.connectionErrors);
    expect((drop?.answered ?? 0) + (drop?.connectionErrors ?? 0)).toBe(drop?.sent);
    expect(dropped.counts.connectionErrors).toBe(drop?.connectionErrors);
    await stopServer();

    // Every hanging request times out and no other does: the timeout is reported after autocannon sent the next
    // request on that connection, which must not take the blame.
    const hung = await load(
      { name: 'hang-some', requests: [{ path: '/ok/{{seq}}' }, { path: '/hang' }] },
      40,
      1,
    );
    const [fine, hang] = hung.counts.templates;
    expect(fine).toMatchObject({ connectionErrors: 0, timeouts: 0, failed: 0 });
    expect(hang?.sent).toBeGreaterThan(4);
    expect(hang?.answered).toBe(0);
    expect(hang?.timeouts).toBe(hang?.sent);
    expect(hang?.failed).toBe(hang?.sent);
    expect(hung.counts.timeouts).toBe(hang?.sent);
  });

  it('treats 2xx and 3xx as success unless the request names its statuses', () => {
    expect([200, 204, 302, 399].every((status) => isExpectedStatus(status, undefined))).toBe(true);
    expect([101, 400, 404, 500].some((status) => isExpectedStatus(status, undefined))).toBe(false);
    expect(isExpectedStatus(404, 404)).toBe(true);
    expect(isExpectedStatus(200, 404)).toBe(false);
    expect(isExpectedStatus(302, [301, 302])).toBe(true);
    expect(isExpectedStatus(200, [301, 302])).toBe(false);
  });
});

/** Counts of `requests` answers on one template, `failing` of them with `status`. */
function counts(requests: number, failing: number, status = 500): TrafficCounts {
  const statuses = { 200: requests - failing, ...(failing > 0 ? { [status]: failing } : {}) };
  return {
    requests,
    statuses,
    statusClasses: {},
    failedStatuses: failing > 0 ? { [status]: failing } : {},
    connectionErrors: 0,
    timeouts: 0,
    failed: failing,
    templates: [
      {
        method: 'GET',
        path: '/',
        sent: requests,
        answered: requests,
        statuses,
        connectionErrors: 0,
        timeouts: 0,
        failed: failing,
      },
    ],
    firstFailure:
      failing > 0 ? { method: 'GET', path: '/?k=3', status, bodyStart: '<h1>Internal error</h1>' } : null,
    firstError: null,
  };
}

describe('deciding on the traffic', () => {
  const sides = (base: TrafficCounts, head: TrafficCounts) => [
    { label: 'base', traffic: base },
    { label: 'head', traffic: head },
  ];

  it('passes traffic within the allowed share on both sides', () => {
    expect(checkTraffic(sides(counts(10_000, 0), counts(10_000, 0)), 0.05)).toEqual([]);
    expect(checkTraffic(sides(counts(10_000, 300), counts(10_000, 320)), 0.05)).toEqual([]);
  });

  it('names a head that fails where base does not, with statuses and the first failure', () => {
    const [problem, ...others] = checkTraffic(sides(counts(15_000, 0), counts(15_000, 6000)), 0.05);
    expect(others).toEqual([]);
    expect(problem?.label).toBe('head');
    expect(problem?.code).toBe('REQUESTS_FAILED');
    expect(problem?.message).toContain('head answers 500 to 40 % of requests, base to 0 %');
    expect(problem?.message).toContain('6,000 of 15,000 failed; 200 ×9,000, 500 ×6,000');
    expect(problem?.message).toContain('first failure: GET /?k=3 answered 500: "<h1>Internal error</h1>"');
    expect(problem?.hint).toMatch(/ready-path.*expectStatus.*max-failed-share` \(now 5 %\)/s);
  });

  it('names every side that fails', () => {
    const problems = checkTraffic(sides(counts(5000, 5000, 404), counts(5000, 5000, 404)), 0.05);
    expect(problems.map((problem) => [problem.label, problem.code])).toEqual([
      ['base', 'REQUESTS_FAILED'],
      ['head', 'REQUESTS_FAILED'],
    ]);
    expect(problems[0]?.message).toContain('base answers 404 to 100 % of requests, head to 100 %');
  });

  it('takes the share as a limit: exactly at it passes, above it fails, 0 allows no failure', () => {
    expect(checkTraffic([{ label: 'app', traffic: counts(1000, 50) }], 0.05)).toEqual([]);
    expect(checkTraffic([{ label: 'app', traffic: counts(1000, 51) }], 0.05)).toHaveLength(1);
    expect(checkTraffic([{ label: 'app', traffic: counts(1000, 1) }], 0)).toHaveLength(1);
    expect(checkTraffic([{ label: 'app', traffic: counts(1000, 1000) }], 1)).toEqual([]);
  });

  it('calls a clear difference within the share a difference, but not one that chance explains', () => {
    const [problem] = checkTraffic(sides(counts(10_000, 0), counts(10_000, 400)), 0.05);
    expect(problem?.code).toBe('FAILURES_DIFFER');
    expect(problem?.label).toBe('head');
    expect(problem?.message).toContain('head answers 500 to 4 % of requests, base to 0 %');
    // The same shares over 100 requests each: 4 failures against none can be chance.
    expect(checkTraffic(sides(counts(100, 0), counts(100, 4)), 0.05)).toEqual([]);
    // A base that fails more than head is named just the same.
    expect(checkTraffic(sides(counts(10_000, 400), counts(10_000, 0)), 0.05)[0]?.label).toBe('base');
  });

  it('leaves a side that crashed or never started to its own verdict, and compares no other side with it', () => {
    const crashed = { label: 'head', traffic: counts(10_000, 9000), isMeasured: false };
    expect(checkTraffic([{ label: 'base', traffic: counts(10_000, 0) }, crashed], 0.05)).toEqual([]);
    const failingBase = { label: 'base', traffic: counts(10_000, 9000) };
    expect(checkTraffic([failingBase, crashed], 0.05).map((problem) => problem.label)).toEqual(['base']);
  });

  it('describes connection errors and timeouts when they are most of the failures', () => {
    const refused: TrafficCounts = {
      ...counts(1000, 0),
      connectionErrors: 900,
      failed: 900,
      firstError: 'connect ECONNREFUSED 127.0.0.1:4000',
    };
    const [problem] = checkTraffic([{ label: 'head', traffic: refused }], 0.05);
    expect(problem?.message).toContain('head drops or refuses the connection on 90 % of requests');
    expect(problem?.message).toContain('first error: connect ECONNREFUSED 127.0.0.1:4000');
    const slow: TrafficCounts = { ...counts(1000, 0), timeouts: 100, failed: 100 };
    expect(checkTraffic([{ label: 'app', traffic: slow }], 0.05)[0]?.message).toContain(
      'app times out on 10 % of requests',
    );
  });
});

describe('deciding on the stub answers', () => {
  const stub = (requests: number, misses: number): StubTraffic => ({
    name: 'pokeapi',
    hosts: ['https://pokeapi.co'],
    requests,
    source: 'fixtures',
    answered: requests - misses,
    misses,
    missedPaths:
      misses > 0 ? [{ path: '/api/v2/mew?x=1', count: misses, file: 'api/v2/mew%3Fx=1.json' }] : [],
    fixtures: '/repo/fixtures/pokeapi',
  });
  const side = (label: string, ...stubs: StubTraffic[]) => ({
    label,
    network: { outbound: 'block' as const, stubs, hosts: [] },
  });

  it('names a side whose stub missed more than the share, with the paths and where to add them', () => {
    const [problem, ...others] = checkStubMisses(
      [side('base', stub(1000, 1000)), side('head', stub(1000, 40))],
      0.05,
    );
    expect(others).toEqual([]);
    expect(problem).toMatchObject({ label: 'base', code: 'UPSTREAM_MISSES' });
    expect(problem?.message).toContain(
      `base's upstream "pokeapi" had no fixture for 100 % of its requests, head's for 4 %`,
    );
    expect(problem?.message).toContain('"pokeapi" missed 1,000 of 1,000 (/api/v2/mew?x=1 ×1,000)');
    expect(problem?.hint).toContain('leakwatch record');
    expect(problem?.hint).toContain(
      '/repo/fixtures/pokeapi (e.g. api/v2/mew%3Fx=1.json for /api/v2/mew?x=1)',
    );
  });

  it('calls a clear difference within the share a problem of the worse side, but not chance or other sources', () => {
    expect(checkStubMisses([side('base', stub(10_000, 0)), side('head', stub(10_000, 400))], 0.05)).toEqual([
      expect.objectContaining({ label: 'head', code: 'UPSTREAM_MISSES' }),
    ]);
    expect(checkStubMisses([side('base', stub(100, 0)), side('head', stub(100, 4))], 0.05)).toEqual([]);
    expect(checkStubMisses([side('base', stub(1000, 50)), side('head', stub(1000, 50))], 0.05)).toEqual([]);
    // A template stub never misses; a side that crashed is left to its own verdict.
    const template = { ...stub(1000, 0), source: 'template' as const };
    expect(checkStubMisses([side('app', template)], 0)).toEqual([]);
    const crashed = { ...side('head', stub(1000, 1000)), isMeasured: false };
    expect(checkStubMisses([side('base', stub(1000, 0)), crashed], 0.05)).toEqual([]);
  });
});
