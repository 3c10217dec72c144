// Load-generator overhead of scenario templates: autocannon requests/s against a trivial server, plain fixed URL
// versus requests from createRequestSequence (through autocannon's setupRequest), plus the raw cost of one
// expansion. Target: templated ≥ 90 % of plain. Writes bench/results/scenario.json.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const durationSec = Number(process.env.BENCH_DURATION_SEC ?? 5);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
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
await build({
  stdin: {
    contents: `export { loadScenario } from './src/scenario/load.ts';
      export { createRequestSequence } from './src/scenario/sequence.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  outfile: bundlePath,
  bundle: true,
  platform: 'node',
  format: 'esm',
  logLevel: 'warning',
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});
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

const run = (requests) =>
  new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: durationSec, requests }, (error, result) =>
      error ? reject(error) : resolve(result.requests.average),
    );
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

// Alternate plain and templated runs, so drift in machine load hits both alike.
const plainRuns = [];
const templatedRuns = Object.fromEntries(scenarioNames.map((name) => [name, []]));
await run(undefined);
for (let repeat = 0; repeat < repeats; repeat++) {
  for (const name of scenarioNames) {
    plainRuns.push(await run(undefined));
    templatedRuns[name].push(await run(templatedRequests(scenarios[name])));
  }
}
server.disconnect();

const plainRequestsPerSec = median(plainRuns);
const templated = Object.fromEntries(
  scenarioNames.map((name) => {
    const requestsPerSec = median(templatedRuns[name]);
    return [
      name,
      {
        requestsPerSec,
        runs: templatedRuns[name],
        ratioToPlain: Number((requestsPerSec / plainRequestsPerSec).toFixed(3)),
        expansionNsPerRequest: expansionNsPerRequest[name],
      },
    ];
  }),
);
const result = {
  benchmark: 'scenario templates: autocannon requests/s, templated vs plain fixed URL',
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  connections,
  durationSec,
  repeats,
  targetRatio: 0.9,
  plain: { requestsPerSec: plainRequestsPerSec, runs: plainRuns },
  templated,
  meetsTarget: Object.values(templated).every((entry) => entry.ratioToPlain >= 0.9),
};
await writeFile(path.join(root, 'bench/results/scenario.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
