// Times diffDependencies on a real, large lockfile: a Next.js app whose PR bumps next, react and eslint, resolved
// by npm and by pnpm 9 (yarn 4 cannot resolve it here: the
// registry mirror lacks some of @unrs/resolver's platform packages). Writes bench/results/deps.json.
// Usage: node bench/deps.mjs [repetitions]
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleSource } from './lib/bundle-source.mjs';

const rootDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repetitions = Number(process.argv[2] ?? 5);
const workDir = await mkdtemp(join(tmpdir(), 'leakwatch-bench-deps-'));

const bundlePath = join(workDir, 'diff.mjs');
await bundleSource(join(rootDir, 'src/deps/diff.ts'), bundlePath);
const { diffDependencies } = await import(pathToFileURL(bundlePath).href);

const manifest = (versions) => ({
  name: 'bench-app',
  version: '1.0.0',
  private: true,
  dependencies: { next: versions.next, react: versions.react, 'react-dom': versions.react },
  devDependencies: { eslint: versions.eslint, 'eslint-config-next': versions.next, typescript: '5.6.3' },
});
const sides = {
  base: manifest({ next: '14.2.15', react: '18.3.1', eslint: '8.57.0' }),
  head: manifest({ next: '15.1.0', react: '19.0.0', eslint: '8.57.1' }),
};
const managers = {
  npm: {
    lockfile: 'package-lock.json',
    command: ['npm', 'install', '--package-lock-only', '--ignore-scripts'],
  },
  pnpm: { lockfile: 'pnpm-lock.yaml', command: ['npx', '-y', 'pnpm@9', 'install', '--lockfile-only'] },
};

const results = [];
try {
  for (const [manager, { lockfile, command }] of Object.entries(managers)) {
    const repoDir = join(workDir, manager);
    const run = (argv) =>
      execFileSync(argv[0], argv.slice(1), { cwd: repoDir, stdio: ['ignore', 'ignore', 'inherit'] });
    const git = (...args) =>
      run(['git', '-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args]);
    await rm(repoDir, { recursive: true, force: true });
    execFileSync('git', ['init', '-q', '-b', 'main', repoDir]);
    let lockfileBytes = 0;
    for (const [side, content] of Object.entries(sides)) {
      await writeFile(join(repoDir, 'package.json'), `${JSON.stringify(content, null, 2)}\n`);
      run(command);
      lockfileBytes = Math.max(lockfileBytes, (await readFile(join(repoDir, lockfile))).byteLength);
      git('add', 'package.json', lockfile);
      git('commit', '-q', '-m', side);
      git('tag', side);
    }
    const durationsMs = [];
    let diff;
    for (let index = 0; index < repetitions; index++) {
      const startedAt = performance.now();
      diff = await diffDependencies({ repoDir, baseRef: 'base', headRef: 'head' });
      durationsMs.push(performance.now() - startedAt);
    }
    durationsMs.sort((a, b) => a - b);
    results.push({
      manager,
      lockfileBytes,
      changes: diff.changes.length,
      directChanges: diff.changes.filter((change) => change.direct).length,
      medianMs: Math.round(durationsMs[Math.floor(durationsMs.length / 2)]),
      maxMs: Math.round(durationsMs.at(-1)),
    });
    process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

const output = { node: process.version, repetitions, results };
await writeFile(join(rootDir, 'bench/results/deps.json'), `${JSON.stringify(output, null, 2)}\n`);
