// Bundles the action, the CLI, the probe and the upstream stub into dist/, and writes the bundled third-party
// licences to dist/licenses.txt.
// The action runs on the runner's Node 24 (action.yml `using: node24`); the CLI, the probe and the stub run on the
// user's Node, which may be 20, so they target node20. The probe is CommonJS because it is loaded with `node --require`.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { writeLicenses } from './build-licenses.mjs';

// Start from an empty dist/ so stale files never pile up or ship.
rmSync('dist', { recursive: true, force: true });

const esmBanner = {
  js: "import { createRequire as __leakwatchCreateRequire } from 'node:module'; const require = __leakwatchCreateRequire(import.meta.url);",
};

const common = {
  bundle: true,
  platform: 'node',
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
};

const esm = { ...common, format: 'esm', banner: esmBanner, outdir: 'dist' };

const results = await Promise.all([
  build({ ...esm, target: 'node24', entryPoints: { index: 'src/action/index.ts' } }),
  build({ ...esm, target: 'node20', entryPoints: { cli: 'src/cli/main.ts' } }),
  build({
    ...common,
    target: 'node20',
    entryPoints: { probe: 'src/app/probe/probe.ts', stub: 'src/app/upstream/stub-server.ts' },
    outdir: 'dist',
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  }),
]);

writeLicenses(
  results.flatMap((result) => Object.keys(result.metafile.inputs)),
  'dist/licenses.txt',
);
