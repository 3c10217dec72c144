// Times prepareBoth on a real Express + TypeScript app whose PR bumps express, sequential versus overlapped,
// with a cold npm cache (a fresh CI runner) and a warm one (actions/setup-node cache). Writes bench/results/prepare.json.
// Usage: node bench/prepare.mjs [repetitions]
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleSource } from './lib/bundle-source.mjs';

const rootDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repetitions = Number(process.argv[2] ?? 3);
const workDir = await mkdtemp(join(tmpdir(), 'leakwatch-bench-prepare-'));

const bundlePath = join(workDir, 'prepare-both.mjs');
await bundleSource(join(rootDir, 'src/prepare/prepare-both.ts'), bundlePath);
const { prepareBoth } = await import(pathToFileURL(bundlePath).href);

const git = (...args) =>
  execFileSync(
    'git',
    ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-C', repoDir, ...args],
    {
      encoding: 'utf8',
    },
  ).trim();
const repoDir = join(workDir, 'repo');
await mkdir(join(repoDir, 'src'), { recursive: true });
git('init', '-q', '-b', 'main');
await writeFile(
  join(repoDir, 'src/server.ts'),
  `import express, { type Request, type Response } from 'express';
const app = express();
const seen: string[] = [];
app.get('/', (request: Request, response: Response) => {
  seen.push(request.url);
  response.json({ seen: seen.length });
});
app.listen(Number(process.env.PORT ?? 3000));
`,
);
await writeFile(
  join(repoDir, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      strict: true,
      esModuleInterop: true,
      outDir: 'dist',
    },
  }),
);
async function commitExpress(version) {
  const manifest = {
    name: 'bench-app',
    private: true,
    scripts: { build: 'tsc -p .', start: 'node dist/server.js' },
    dependencies: { express: version },
    devDependencies: { typescript: '5.9.3', '@types/express': '5.0.6', '@types/node': '20.19.43' },
  };
  await writeFile(join(repoDir, 'package.json'), JSON.stringify(manifest, null, 2));
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: repoDir,
    stdio: 'ignore',
  });
  git('add', '-A');
  git('commit', '-q', '-m', `express ${version}`);
  return git('rev-parse', 'HEAD');
}
const baseSha = await commitExpress('5.1.0');
const headSha = await commitExpress('5.2.1');

const warmCacheDir = join(workDir, 'warm-cache');
const trials = [];
async function trial(mode, cache) {
  const cacheDir = cache === 'warm' ? warmCacheDir : await mkdtemp(join(workDir, 'cold-cache-'));
  const prepared = await prepareBoth({
    repoDir,
    baseSha,
    headSha,
    mode,
    log: () => {},
    logDir: workDir,
    env: { npm_config_cache: cacheDir },
  });
  try {
    for (const side of [prepared.base, prepared.head]) {
      if (!side.result.ok)
        throw new Error(`bench app failed to ${side.result.stage}:\n${side.result.logTail}`);
    }
    const sideTimes = (side) => ({
      installMs: Math.round(side.result.installMs),
      buildMs: Math.round(side.result.buildMs),
    });
    return {
      mode,
      cache,
      wallMs: Math.round(prepared.wallMs),
      base: sideTimes(prepared.base),
      head: sideTimes(prepared.head),
    };
  } finally {
    await prepared[Symbol.asyncDispose]();
    if (cache === 'cold') await rm(cacheDir, { recursive: true, force: true });
  }
}

await trial('sequential', 'warm'); // fills the warm cache; not recorded
for (let repetition = 0; repetition < repetitions; repetition++) {
  // Interleaved, so drift in registry latency or machine load hits every configuration alike.
  for (const cache of ['cold', 'warm']) {
    for (const mode of ['sequential', 'overlapped']) {
      const result = await trial(mode, cache);
      trials.push(result);
      process.stderr.write(`${JSON.stringify(result)}\n`);
    }
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const summary = {};
for (const cache of ['cold', 'warm']) {
  const wall = (mode) =>
    median(trials.filter((t) => t.mode === mode && t.cache === cache).map((t) => t.wallMs));
  summary[cache] = {
    sequentialWallMsMedian: wall('sequential'),
    overlappedWallMsMedian: wall('overlapped'),
    overlappedOverSequential: Number((wall('overlapped') / wall('sequential')).toFixed(3)),
  };
}
const result = {
  what: 'prepareBoth wall time on an Express 5 + TypeScript app (express 5.1.0 -> 5.2.1), npm ci + tsc per side',
  date: new Date().toISOString(),
  node: process.version,
  cpuCount: cpus().length,
  cpuModel: cpus()[0]?.model,
  repetitions,
  summary,
  trials,
};
await mkdir(join(rootDir, 'bench/results'), { recursive: true });
await writeFile(join(rootDir, 'bench/results/prepare.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
await rm(workDir, { recursive: true, force: true });
