// `npm run demo`: installs the two demo apps (base: contentful-sdk-core 6.4.5, head: 6.4.4, which keeps every
// client in a module-level Map) from the npm registry, then compares them with the bundled CLI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const demoDir = dirname(fileURLToPath(import.meta.url));
const run = (command, args, cwd) =>
  spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });

for (const side of ['base', 'head']) {
  const appDir = join(demoDir, side);
  if (existsSync(join(appDir, 'node_modules'))) continue;
  console.error(`demo: installing the ${side} app (npm ci)`);
  const install = run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], appDir);
  if (install.status !== 0) process.exit(install.status ?? 2);
}

const cli = join(demoDir, '..', 'dist', 'cli.js');
const compare = run(
  process.execPath,
  [
    cli,
    'compare',
    '--base-dir',
    'base',
    '--head-dir',
    'head',
    '--start',
    'node server.js',
    '--scenario',
    'scenario.yml',
    ...process.argv.slice(2),
  ],
  demoDir,
);
// The CLI exits 1 on a regression, as a CI gate should; here that is the expected outcome of the demo.
if (compare.status === 1) {
  console.error(
    'demo: leakwatch caught the leak in head (the CLI exits 1 on a regression, which fails a CI step).',
  );
  process.exit(0);
}
if (compare.status === 0) console.error('demo: expected a regression in head, but leakwatch reported none.');
process.exit(compare.status === 0 ? 1 : (compare.status ?? 2));
