// Folders in pipeline order, arrows pointing down: a src module imports only from its own folder or from folders
// listed before it, so a stage never depends on a later one. The README's Layout lists the same folders.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ORDER = [
  'settings',
  'model',
  'process',
  'scenario',
  'deps',
  'prepare',
  'app',
  'load',
  'analysis',
  'explain',
  'measure',
  'bisect',
  'pipeline',
  'report',
  'github',
  'action',
  'cli',
];
const src = path.resolve(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

function topFolder(file: string): string {
  return path.relative(src, file).split(path.sep)[0] ?? '';
}

describe('src layout', () => {
  it('has exactly the folders of the pipeline order, and no loose files', () => {
    const entries = readdirSync(src, { withFileTypes: true });
    expect(entries.filter((entry) => !entry.isDirectory()).map((entry) => entry.name)).toEqual([]);
    expect(entries.map((entry) => entry.name).sort()).toEqual([...ORDER].sort());
  });

  it('has no import that points up the pipeline', () => {
    const upward: string[] = [];
    for (const file of sourceFiles(src)) {
      const from = ORDER.indexOf(topFolder(file));
      const specifiers = readFileSync(file, 'utf8').matchAll(/from\s+'(\.{1,2}\/[^']+)'/g);
      for (const [, specifier] of specifiers) {
        const target = path.resolve(path.dirname(file), specifier ?? '');
        if (!target.startsWith(src + path.sep)) continue;
        if (ORDER.indexOf(topFolder(target)) > from)
          upward.push(`${path.relative(src, file)} → ${specifier}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('is listed in the same order in the README', () => {
    const readme = readFileSync(path.resolve(src, '..', 'README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('Layout:'));
    const listed = [...layout.matchAll(/^\d+\. `(\w+)\/`/gm)].map(([, name]) => name);
    expect(listed).toEqual(ORDER.slice(0, -1));
    expect(layout).toMatch(/`action\/` and `cli\/`/);
  });
});
