// Benchmarks run leakwatch's TypeScript modules without a full build: each is bundled on its own, with the same
// settings as dist/ (ESM for Node 20, `require` available to bundled CommonJS dependencies).
import { build } from 'esbuild';

/** Bundles `entry` (a path, or `{ stdin }` source) into `outfile` and returns `outfile`. */
export async function bundleSource(entry, outfile) {
  await build({
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : entry),
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return outfile;
}
