import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { LeakwatchError } from '../../src/settings/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'leakwatch-scenario-'));
  await mkdir(path.join(dir, 'recorded'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const load = async (file: string, text: string) => {
  await writeFile(path.join(dir, file), text);
  return loadScenario({ nameOrPath: file, cwd: dir });
};

/** The problem lines of the error a bad file gives. */
const problemsOf = async (file: string, text: string): Promise<string[]> => {
  const error = await load(file, text).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LeakwatchError);
  expect((error as LeakwatchError).code).toBe('SCENARIO_INVALID');
  expect((error as LeakwatchError).hint).toContain('docs/scenarios.md');
  return (error as LeakwatchError).message.split('\n').slice(1);
};

describe('loadScenario on good files', () => {
  it('loads YAML with every field, keeping the values', async () => {
    const scenario = await load(
      'full.yml',
      `# yaml-language-server: $schema=../scenarios/scenario.schema.json
name: full
description: every field
requests:
  - method: POST
    path: /api/{{seq}}
    headers: { content-type: application/json }
    body: '{"q":"{{random:4}}"}'
    weight: 2.5
  - path: /
connections: 4
requestsPerRound: 100
rounds: 3
warmupRequests: 0
ratePerSecond: 50
heapCapMb: 128
readyPath: /ready
env: { FEATURE_X: "on" }
upstreams:
  - { name: cms, env: CMS_URL, fixtures: recorded, latencyMs: [1, 5] }
  - { name: api, env: API_URL, responseBytes: 4096, latencyMs: 10 }
  - { name: echo, env: ECHO_URL, echo: true }
`,
    );
    expect(scenario).toMatchObject({
      name: 'full',
      requests: [
        { method: 'POST', weight: 2.5, headers: { 'content-type': 'application/json' } },
        { path: '/' },
      ],
      connections: 4,
      ratePerSecond: 50,
      env: { FEATURE_X: 'on' },
      sourcePath: path.join(dir, 'full.yml'),
    });
    expect(scenario.upstreams?.[0]?.latencyMs).toEqual([1, 5]);
  });

  it('loads JSON, names the scenario after its file, and ignores $schema', async () => {
    const scenario = await load('plain.json', '{ "$schema": "x.json", "requests": [{ "path": "/x" }] }');
    expect(scenario.name).toBe('plain');
    expect(scenario).not.toHaveProperty('$schema');
  });

  it('says which file it could not read', async () => {
    await expect(loadScenario({ nameOrPath: './nope.yml', cwd: dir })).rejects.toMatchObject({
      code: 'SCENARIO_NOT_FOUND',
      message: expect.stringContaining(path.join(dir, 'nope.yml')),
    });
  });
});

describe('loadScenario on bad files', () => {
  it('gives the line and column of a YAML syntax error', async () => {
    const [problem] = await problemsOf(
      'syntax.yml',
      'requests:\n  - path: /a\n    headers: {a: 1\nrounds: 2\n',
    );
    expect(problem).toMatch(/^syntax\.yml:\d+:\d+: YAML syntax error: /);
    expect(Number(problem?.split(':')[1])).toBeGreaterThanOrEqual(3);
  });

  it('reports duplicate keys as a syntax error', async () => {
    expect(await problemsOf('dup.yml', 'requests:\n  - path: /a\nrounds: 2\nrounds: 3\n')).toEqual([
      expect.stringMatching(/^dup\.yml:4:1: YAML syntax error: duplicated mapping key/),
    ]);
  });

  it('names the field, the expected type and the allowed values for wrong types', async () => {
    expect(
      await problemsOf(
        'types.yml',
        'requests:\n  - path: /a\n    weight: heavy\n    method: FETCH\nconnections: 2.5\n',
      ),
    ).toEqual([
      'types.yml:3:13: requests[0].weight must be a number (got "heavy"); expected relative weight in the mix, a number above 0; default 1',
      'types.yml:4:13: requests[0].method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS (got "FETCH")',
      'types.yml:5:14: connections must be a whole number (got 2.5); expected concurrent connections, 1 to 1000',
    ]);
  });

  it('points at unknown fields and lists the allowed ones', async () => {
    const problems = await problemsOf('unknown.yml', 'requests:\n  - path: /a\n    wieght: 2\nrondz: 3\n');
    expect(problems).toEqual([
      'unknown.yml:3:5: requests[0] has an unknown field "wieght"; allowed fields: method, path, headers, body, weight, expectStatus',
      expect.stringMatching(
        /^unknown\.yml:4:1: the scenario has an unknown field "rondz"; allowed fields: .*rounds/,
      ),
    ]);
  });

  it('points into the template at a bad function or a bad N', async () => {
    expect(
      await problemsOf(
        'template.yml',
        'requests:\n  - path: /a/{{rnd:5}}\n  - path: "/b?x={{random:0}}"\n    body: "{{repeat:ab}}"\n    headers:\n      x-a: "{{pick:}}"\n  - path: /c/{{seq\n',
      ),
    ).toEqual([
      'template.yml:2:14: requests[0].path has a bad template: {{rnd:5}}: unknown function "rnd"; allowed: seq, random:N, pick:a,b,..., repeat:text:N, uuid',
      'template.yml:3:17: requests[1].path has a bad template: {{random:0}}: N must be a whole number from 1 to 4096 (got 0)',
      'template.yml:4:12: requests[1].body has a bad template: {{repeat:ab}}: repeat needs text and a count, e.g. {{repeat:ab:500}}',
      'template.yml:6:13: requests[1].headers.x-a has a bad template: {{pick:}}: pick needs a comma-separated list of non-empty values, e.g. {{pick:a,b,c}}',
      'template.yml:7:14: requests[2].path has a bad template: "{{" is never closed with "}}"',
    ]);
  });

  it('keeps expectStatus and maxFailedShare, and rejects what is no status or no share', async () => {
    const scenario = await load(
      'expect.yml',
      'requests:\n  - path: /gone\n    expectStatus: 410\n  - path: /old\n    expectStatus: [301, 302]\nmaxFailedShare: 0.2\n',
    );
    expect(scenario.requests.map((request) => request.expectStatus)).toEqual([410, [301, 302]]);
    expect(scenario.maxFailedShare).toBe(0.2);
    const problems = await problemsOf(
      'bad-expect.yml',
      'requests:\n  - path: /a\n    expectStatus: 99\n  - path: /b\n    expectStatus: "404"\n  - path: /c\n    expectStatus: [302, 700]\nmaxFailedShare: 1.5\n',
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^bad-expect\.yml:3:19: requests\[0\]\.expectStatus must be >= 100 \(got 99\); expected the HTTP status/,
      ),
      expect.stringMatching(
        /^bad-expect\.yml:5:19: requests\[1\]\.expectStatus must be a whole number or a list \(got "404"\)/,
      ),
      'bad-expect.yml:7:25: requests[2].expectStatus[1] must be <= 599 (got 700); expected an HTTP status, 100 to 599',
      expect.stringMatching(
        /^bad-expect\.yml:8:17: maxFailedShare must be <= 1 \(got 1\.5\); expected share of requests, 0 to 1/,
      ),
    ]);
  });

  it('rejects weights of zero or below', async () => {
    expect(
      await problemsOf(
        'weight.yml',
        'requests:\n  - path: /a\n    weight: 0\n  - path: /b\n    weight: -1\n',
      ),
    ).toEqual([
      'weight.yml:3:13: requests[0].weight must be > 0 (got 0); expected relative weight in the mix, a number above 0; default 1',
      'weight.yml:5:13: requests[1].weight must be > 0 (got -1); expected relative weight in the mix, a number above 0; default 1',
    ]);
  });

  it('gives JSON files positions too', async () => {
    expect(
      await problemsOf(
        'bad.json',
        '{\n  "requests": [\n    { "path": "a" }\n  ],\n  "env": { "1BAD": "x" }\n}\n',
      ),
    ).toEqual([
      'bad.json:3:15: requests[0].path must match pattern "^/" (got "a"); expected a path template starting with /, e.g. /items/{{seq}}?q={{random:8}}',
      expect.stringMatching(
        /^bad\.json:5:12: env has an invalid name "1BAD"; expected .*not starting with a digit$/,
      ),
    ]);
  });

  it('checks upstreams beyond the schema', async () => {
    const problems = await problemsOf(
      'upstreams.yml',
      'requests:\n  - path: /\nenv: { B_URL: x }\nupstreams:\n  - name: a\n    env: A_URL\n    latencyMs: [50, 10]\n  - name: b\n    env: A_URL\n    fixtures: missing\n  - name: c\n    env: B_URL\n    fixtures: recorded\n    echo: true\n',
    );
    expect(problems).toEqual([
      'upstreams.yml:7:16: upstreams[0].latencyMs is [min, max], but min 50 is above max 10',
      'upstreams.yml:9:10: upstreams[1].env: A_URL is already used by another upstream',
      `upstreams.yml:10:15: upstreams[1].fixtures: folder ${path.join(dir, 'missing')} does not exist (\`leakwatch record\` writes it)`,
      "upstreams.yml:12:10: upstreams[2].env: B_URL is also set in the scenario's env; use one or the other",
      'upstreams.yml:13:15: upstreams[2] answers from fixtures, so it cannot also set echo or responseBytes',
    ]);
  });

  it('checks hosts: origins only, each claimed once, and env or hosts on every upstream', async () => {
    const problems = await problemsOf(
      'hosts.yml',
      'requests:\n  - path: /\nupstreams:\n  - name: a\n    hosts: ["https://api.example.com", "https://api.example.com/v2", "ftp://x"]\n  - name: b\n    hosts: ["https://API.example.com:443"]\n    shape: { name: x }\n    echo: true\n  - name: c\n',
    );
    expect(problems).toEqual([
      'hosts.yml:5:12: upstreams[0].hosts[1] must be an origin like https://api.example.com or http://cms:8080 (got "https://api.example.com/v2")',
      'hosts.yml:5:12: upstreams[0].hosts[2] must be an origin like https://api.example.com or http://cms:8080 (got "ftp://x")',
      'hosts.yml:7:12: upstreams[1].hosts[0]: https://API.example.com:443 is already claimed by upstreams[0]',
      'hosts.yml:8:12: upstreams[1] answers its shape, so it cannot also set echo or fixtures',
      'hosts.yml:10:11: upstreams[2] needs env (a variable the app reads its URL from) or hosts (origins the app calls)',
    ]);
  });

  it('explains an empty file or a file that is not a mapping', async () => {
    expect(await problemsOf('empty.yml', '')).toEqual([
      'empty.yml:1:1: the scenario must be a mapping (a JSON object) (got null); a scenario needs at least a "requests" list',
    ]);
    expect(await problemsOf('missing.yml', 'name: x\n')).toEqual([
      'missing.yml:1:1: the scenario is missing the required field "requests"',
    ]);
  });

  it('points at an empty list item and keeps the items after it on their own lines', async () => {
    expect(
      await problemsOf('empty-item.yml', 'requests:\n  - path: /a\n  -\n  - path: /b\n    bad: 1\n'),
    ).toEqual([
      'empty-item.yml:3:4: requests[1] must be a mapping (a JSON object) (got null)',
      expect.stringMatching(/^empty-item\.yml:5:5: requests\[2\] has an unknown field "bad"/),
    ]);
  });
});
