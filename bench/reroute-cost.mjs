// What rerouting costs per upstream call: the same app makes one upstream fetch per page, to a stub it finds
// in an env variable (direct, no rerouting), to a rerouted http:// origin, and to a rerouted https:// origin
// (TLS terminated at the stub, a real handshake per new connection). Throughput of each through the bundled
// CLI, interleaved BENCH_ROUNDS times (default 2), with the load average.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './lib/fixture-compare.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const work = mkdtempSync(join(tmpdir(), 'leakwatch-bench-reroute-cost-'));
writeFileSync(
  join(work, 'app.cjs'),
  `const target = process.env.TARGET_URL || process.env.API_URL;
require('node:http').createServer(async (req, res) => {
  if (req.url === '/health') return res.end('ok');
  const answer = await fetch(target + '/items?page=1');
  res.writeHead(answer.ok ? 200 : 502);
  res.end(await answer.text());
}).listen(Number(process.env.PORT), '127.0.0.1');`,
);
const modes = {
  env: 'env: { TARGET_URL: "" }\nupstreams:\n  - name: api\n    env: API_URL\n',
  'rerouted http':
    'env: { TARGET_URL: "http://api.example.test" }\nupstreams:\n  - name: api\n    hosts: ["http://api.example.test"]\n',
  'rerouted https':
    'env: { TARGET_URL: "https://api.example.test" }\nupstreams:\n  - name: api\n    hosts: ["https://api.example.test"]\n',
};
for (const [mode, upstream] of Object.entries(modes)) {
  writeFileSync(
    join(work, `${mode.replace(' ', '-')}.yml`),
    `requests:\n  - path: /?n={{seq}}\nreadyPath: /health\n${upstream}`,
  );
}
const results = Object.fromEntries(Object.keys(modes).map((mode) => [mode, []]));
for (let round = 0; round < rounds; round++) {
  for (const mode of Object.keys(modes)) {
    const args = [
      join(root, 'dist', 'cli.js'),
      'measure',
      '--dir',
      work,
      '--start',
      'node app.cjs',
      '--json',
    ];
    args.push(
      '--scenario',
      join(work, `${mode.replace(' ', '-')}.yml`),
      '--warmup',
      '1000',
      '--requests',
      '1000',
    );
    args.push('--rounds', '3', '--settle-ms', '0', '--heap-snapshots', 'never');
    const loadAverage1m = Number(loadavg()[0].toFixed(1));
    let stdout = '';
    try {
      stdout = execFileSync(process.execPath, args, {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch (error) {
      stdout = error.stdout;
    }
    const report = JSON.parse(stdout);
    const { load, network } = report.app;
    results[mode].push({
      requestsPerSecond: Math.round(load.requestsPerSecond),
      failed: load.non2xx + load.errors,
      stubRequests: network?.stubs[0]?.requests ?? null,
      loadAverage1m,
    });
    process.stderr.write(
      `${mode}: ${Math.round(load.requestsPerSecond)} req/s (load average ${loadAverage1m})\n`,
    );
  }
}
const output = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  settings: 'one upstream fetch per page, 10 connections, 1000 warm-up + 8 rounds of 1000 requests',
  results,
};
rmSync(work, { recursive: true, force: true });
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'reroute-cost.json'), `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
