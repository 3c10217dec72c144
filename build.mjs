// Bundles the action, the CLI, the probe and the upstream stub into dist/.
// The action and CLI are ESM; the probe is CommonJS because it is loaded with `node --require`.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start from an empty dist/ so stale chunks never pile up or ship.
rmSync('dist', { recursive: true, force: true });

const esmBanner = {
  js: "import { createRequire as __leakwatchCreateRequire } from 'node:module'; const require = __leakwatchCreateRequire(import.meta.url);",
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
};

await build({
  ...common,
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: esmBanner,
  outExtension: { '.js': '.js' },
});

await build({
  ...common,
  entryPoints: { probe: 'src/probe/probe.ts', stub: 'src/upstream/stub-server.ts' },
  outdir: 'dist',
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
});
