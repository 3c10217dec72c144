// Collects the licences of the third-party packages esbuild bundled (from its metafile inputs) into one file, as
// the actions/typescript-action template does: dist/ is what users run, so it carries the notices it owes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package folder of a bundled input, e.g. node_modules/@actions/core/lib/core.js → node_modules/@actions/core. */
function packageDir(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1] : undefined;
}

function licenseText(dir) {
  const file = readdirSync(dir).find((name) => /^(licen[sc]e|copying)([.-]|$)/i.test(name));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : undefined;
}

/** Writes one section per bundled package (name, version, licence and its text); fails on a package without one. */
export function writeLicenses(inputs, outFile) {
  const dirs = [
    ...new Set(inputs.map(packageDir).filter((dir) => dir && existsSync(join(dir, 'package.json')))),
  ];
  const sections = dirs
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const text = licenseText(dir);
      if (!text && !pkg.license) throw new Error(`build: ${pkg.name} is bundled but declares no licence`);
      return {
        id: `${pkg.name}@${pkg.version}`,
        body: `${pkg.license ?? 'see text'}\n${text ?? '(no licence file; declared in package.json)'}`,
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  const unique = sections.filter((section, i) => i === 0 || section.id !== sections[i - 1].id);
  writeFileSync(outFile, unique.map((s) => `${s.id}\n${s.body}\n`).join(`\n${'-'.repeat(72)}\n\n`));
}
