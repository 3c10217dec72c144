// Load-generator overhead of scenario templates: autocannon requests/s against a trivial server, requests from
// createRequestSequence (through autocannon's setupRequest) versus the same request sent fixed, plus the raw
// cost of one expansion. Target: templated ≥ 90 % of fixed. Writes bench/results/scenario.json.
// BENCH_DURATION_SEC (default 3) and BENCH_REPEATS (default 5) trade time for noise.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { bundleSource } from './lib/bundle-source.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const durationSec = Number(process.env.BENCH_DURATION_SEC ?? 3);
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const connections = 10;
const scenarioNames = [
  'default',
  'ssr-cache-fragmenting',
  'unique-paths',
  'long-urls-outbound',
  'multi-route',
];

// The scenario code is TypeScript: bundle it into the git-ignored .leakwatch/ folder, inside the package, so
// it finds scenarios/ as it does from dist/, and the bench needs no full build.
const bundlePath = path.join(root, '.leakwatch', 'bench-scenario.mjs');
await bundleSource(
  {
    stdin: {
      contents: `export { loadScenario } from './src/scenario/load.ts';
      export { createRequestSequence } from './src/scenario/sequence.ts';`,
      resolveDir: root,
      loader: 'ts',
    },
  },
  bundlePath,
);
const { loadScenario, createRequestSequence } = await import(pathToFileURL(bundlePath).href);

// The server runs in its own process, so it does not share a thread with autocannon.
const server = spawn(
  process.execPath,
  [
    '-e',
    `const s = require('node:http').createServer((req, res) => { req.resume(); res.end('ok'); });
     s.listen(0, '127.0.0.1', () => process.send(s.address().port));
     process.on('disconnect', () => process.exit(0));`,
  ],
  { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);
const port = await new Promise((resolve) => server.once('message', resolve));
const url = `http://127.0.0.1:${port}`;

// autocannon runs in this process, so this process's CPU time per request is the load generator's cost. It
// is far less disturbed by other work on a shared machine than requests/s are.
const run = (requests) =>
  new Promise((resolve, reject) => {
    const cpuBefore = process.cpuUsage();
    autocannon({ url, connections, duration: durationSec, requests }, (error, result) => {
      if (error) return reject(error);
      const cpu = process.cpuUsage(cpuBefore);
      resolve({
        requestsPerSec: result.requests.average,
        cpuUsPerRequest: Number(((cpu.user + cpu.system) / result.requests.total).toFixed(2)),
      });
    });
  });
const templatedRequests = (scenario) => {
  const next = createRequestSequence(scenario, 1);
  return [
    {
      setupRequest: (request) => {
        const spec = next();
        return { ...request, ...spec, headers: { ...request.headers, ...spec.headers } };
      },
    },
  ];
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const scenarios = {};
for (const name of scenarioNames) scenarios[name] = await loadScenario({ nameOrPath: name, cwd: root });

const expansionNsPerRequest = {};
for (const [name, scenario] of Object.entries(scenarios)) {
  const next = createRequestSequence(scenario, 1);
  for (let i = 0; i < 20_000; i++) next();
  const count = 200_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) next();
  expansionNsPerRequest[name] = Math.round(Number(process.hrtime.bigint() - started) / count);
}

// Each templated run is paired with a run of the same scenario's first request sent fixed (same method, size
// and shape, no setupRequest), right before it, so drift in the machine's load hits both alike and the
// pair's ratio isolates what templating costs. A plain `GET /` run per pair is kept as the simple reference.
const plainRuns = [];
const pairs = Object.fromEntries(
  scenarioNames.map((name) => [name, { fixed: [], noopSetup: [], templated: [], ratios: [], cpuRatios: [] }]),
);
await run(undefined);
for (let repeat = 0; repeat < repeats; repeat++) {
  for (const name of scenarioNames) {
    const first = createRequestSequence(scenarios[name], 1)();
    plainRuns.push((await run(undefined)).requestsPerSec);
    const fixed = await run([
      { method: first.method, path: first.path, headers: first.headers, body: first.body },
    ]);
    // The same request through a setupRequest that changes nothing: autocannon's own cost of dynamic requests.
    const noopSetup = await run([{ ...first, setupRequest: (request) => request }]);
    const templated = await run(templatedRequests(scenarios[name]));
    pairs[name].noopSetup.push(noopSetup);
    pairs[name].fixed.push(fixed);
    pairs[name].templated.push(templated);
    pairs[name].ratios.push(Number((templated.requestsPerSec / fixed.requestsPerSec).toFixed(3)));
    pairs[name].cpuRatios.push(Number((fixed.cpuUsPerRequest / templated.cpuUsPerRequest).toFixed(3)));
  }
}
server.disconnect();

const templated = Object.fromEntries(
  scenarioNames.map((name) => {
    const { fixed, noopSetup, templated, ratios, cpuRatios } = pairs[name];
    return [
      name,
      {
        templatedRequestsPerSec: median(templated.map((entry) => entry.requestsPerSec)),
        fixedRequestsPerSec: median(fixed.map((entry) => entry.requestsPerSec)),
        ratioToFixed: median(ratios),
        pairRatios: ratios,
        generatorCpuUsPerRequest: {
          templated: median(templated.map((entry) => entry.cpuUsPerRequest)),
          fixed: median(fixed.map((entry) => entry.cpuUsPerRequest)),
          noopSetupRequest: median(noopSetup.map((entry) => entry.cpuUsPerRequest)),
        },
        // The rate the generator reaches when it alone is the bottleneck, relative to fixed requests.
        generatorBoundRatio: median(cpuRatios),
        expansionNsPerRequest: expansionNsPerRequest[name],
      },
    ];
  }),
);
const result = {
  benchmark: 'scenario templates: autocannon requests/s, templated vs the same request sent fixed',
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
  connections,
  durationSec,
  repeats,
  targetRatio: 0.9,
  plainGetRoot: { requestsPerSec: median(plainRuns), runs: plainRuns },
  templated,
  meetsTargetByRate: Object.values(templated).every((entry) => entry.ratioToFixed >= 0.9),
  meetsTargetByGeneratorCpu: Object.values(templated).every((entry) => entry.generatorBoundRatio >= 0.9),
};
await writeFile(path.join(root, 'bench/results/scenario.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
