// Why leakwatch's one YAML parser is js-yaml (issue 18): it reads lockfiles (pnpm-lock.yaml here, yarn.lock through
// @yarnpkg/parsers) and, with its node listener, the scenario files' positions. This resolves a large real lockfile
// with pnpm 9 (a Next.js app with ~25 popular direct dependencies, `install --lockfile-only`) and times js-yaml
// against the `yaml` package, which leakwatch used for scenarios before; the bench installs it for itself.
// Usage: node bench/yaml.mjs [repetitions]. Writes bench/results/yaml.json.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import jsYaml from 'js-yaml';

const rootDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repetitions = Number(process.argv[2] ?? 7);
const latest = (names) => Object.fromEntries(names.map((name) => [name, 'latest']));
const manifest = {
  name: 'bench-big-lock',
  version: '1.0.0',
  private: true,
  dependencies: latest([
    ...['next', 'react', 'react-dom', '@mui/material', '@emotion/react', '@emotion/styled'],
    ...['@aws-sdk/client-s3', '@aws-sdk/client-dynamodb', 'express', 'lodash', 'axios', '@sentry/node'],
    ...['firebase', 'googleapis', 'prisma'],
  ]),
  devDependencies: latest([
    ...['jest', 'webpack', 'eslint', 'eslint-config-next', 'typescript', '@storybook/react', '@babel/core'],
    ...['@babel/preset-env', 'vite', '@testing-library/react', 'tailwindcss', 'playwright'],
  ]),
};

const medianMs = (parse) => {
  const durationsMs = [];
  for (let index = 0; index < repetitions; index++) {
    const startedAt = performance.now();
    parse();
    durationsMs.push(performance.now() - startedAt);
  }
  return Math.round(durationsMs.sort((a, b) => a - b)[Math.floor(repetitions / 2)]);
};

const workDir = await mkdtemp(join(tmpdir(), 'leakwatch-bench-yaml-'));
try {
  await writeFile(join(workDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  execFileSync('npx', ['-y', 'pnpm@9', 'install', '--lockfile-only'], {
    cwd: workDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const text = await readFile(join(workDir, 'pnpm-lock.yaml'), 'utf8');
  const yamlDir = join(workDir, 'yaml-package');
  execFileSync(
    'npm',
    ['install', '--prefix', yamlDir, '--no-save', '--no-audit', '--no-fund', 'yaml@2.9.1'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const yamlEntry = join(yamlDir, 'node_modules', 'yaml', 'dist', 'index.js');
  const { parse: parseWithYamlPackage } = await import(pathToFileURL(yamlEntry).href);
  // The machine may be shared: the 1-minute load average says how contended these figures were.
  const loadAverage1mBefore = Number(loadavg()[0]?.toFixed(1));
  const result = {
    node: process.version,
    date: new Date().toISOString(),
    repetitions,
    lockfileBytes: Buffer.byteLength(text),
    lockfilePackages: Object.keys(jsYaml.load(text).packages ?? {}).length,
    jsYamlMedianMs: medianMs(() => jsYaml.load(text)),
    yamlPackageMedianMs: medianMs(() => parseWithYamlPackage(text)),
    yamlPackageWithoutUniqueKeysMedianMs: medianMs(() => parseWithYamlPackage(text, { uniqueKeys: false })),
    loadAverage1mBefore,
    loadAverage1mAfter: Number(loadavg()[0]?.toFixed(1)),
  };
  process.stderr.write(`${JSON.stringify(result)}\n`);
  await writeFile(join(rootDir, 'bench/results/yaml.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await rm(workDir, { recursive: true, force: true });
}
