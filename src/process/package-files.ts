// Files leakwatch ships next to its code: the probe bundle, the scenarios, its own version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPackageRoot } from './package-root.js';

/** dist/probe.cjs: preloaded into the app under test. */
export function probePath(): string {
  return join(findPackageRoot(), 'dist', 'probe.cjs');
}

export function leakwatchVersion(): string {
  const manifest = JSON.parse(readFileSync(join(findPackageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
