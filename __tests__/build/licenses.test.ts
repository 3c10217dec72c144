// dist/licenses.txt is written by the build from esbuild's list of bundled files: every runtime dependency is
// bundled into the action or the CLI, so each must appear there with its installed version and licence text.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

describe('dist/licenses.txt', () => {
  const licenses = read('dist/licenses.txt');
  const dependencies = Object.keys(JSON.parse(read('package.json')).dependencies as Record<string, string>);

  it.each(dependencies)('lists %s with its installed version and licence', (name) => {
    const installed = JSON.parse(read(`node_modules/${name}/package.json`)) as {
      version: string;
      license: string;
    };
    const section = licenses.split(/\n-{72}\n\n/).find((s) => s.startsWith(`${name}@${installed.version}\n`));
    expect(section, `${name}@${installed.version} missing`).toBeDefined();
    expect(section?.split('\n')[1]).toBe(installed.license);
  });

  it('carries the licence texts, not only the names', () => {
    expect(licenses).toMatch(/Permission is hereby granted, free of charge/);
  });
});
