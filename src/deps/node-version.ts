// A Node.js upgrade can leak like a dependency bump (a fetch leak in one Node 20 minor, async-context changes in
// 22/24). The version a repository pins for its app is read at both refs; a difference is a `node` change.
import { posix } from 'node:path';
import semver from 'semver';
import type { DependencyChange, NodePinInfo } from '../model/deps.js';
import { classifyChange } from './classify.js';
import { isRecord } from './resolved.js';
import type { FileTree } from './trees.js';

export type NodePin = NodePinInfo;

const versionFiles = ['.nvmrc', '.node-version', '.tool-versions'] as const;

/**
 * The Node.js version pinned for the app in `tree`: in the app folder, then each folder above it, the first of
 * .nvmrc, .node-version, .tool-versions (`nodejs`), then the app's package.json `volta.node` or an exact
 * `engines.node` (a range there states support, not the version the app runs on).
 */
export async function readNodePin(tree: FileTree, appDir: string): Promise<NodePin | null> {
  const dirs: string[] = [];
  for (let dir = appDir; ; dir = posix.dirname(dir)) {
    dirs.push(dir);
    if (dir === '.') break;
  }
  const candidates = dirs.flatMap((dir) => [
    ...versionFiles.map((file) => posix.join(dir, file)),
    posix.join(dir, 'package.json'),
  ]);
  const existing = await tree.existing(candidates);
  for (const path of candidates.filter((candidate) => existing.has(candidate))) {
    const spec = parsePin(posix.basename(path), await tree.read(path));
    if (spec) return { spec: spec.value, source: spec.field ? `${path} ${spec.field}` : path };
  }
  return null;
}

function parsePin(file: string, text: string): { value: string; field?: string } | null {
  if (file === 'package.json') {
    let manifest: unknown;
    try {
      manifest = JSON.parse(text);
    } catch {
      return null; // the dependency diff reports an unparsable package.json
    }
    if (!isRecord(manifest)) return null;
    const volta = isRecord(manifest.volta) ? manifest.volta.node : undefined;
    if (typeof volta === 'string' && volta.trim()) return { value: clean(volta), field: 'volta.node' };
    const engines = isRecord(manifest.engines) ? manifest.engines.node : undefined;
    if (typeof engines === 'string' && semver.valid(clean(engines))) {
      return { value: clean(engines), field: 'engines.node' };
    }
    return null;
  }
  const lines = text.split('\n').map((line) => line.replace(/#.*/, '').trim());
  if (file === '.tool-versions') {
    const entry = lines
      .map((line) => line.split(/\s+/))
      .find(([tool]) => tool === 'nodejs' || tool === 'node');
    return entry?.[1] ? { value: clean(entry[1]) } : null;
  }
  const first = lines.find((line) => line !== '');
  return first ? { value: clean(first) } : null;
}

const clean = (version: string) => version.trim().replace(/^v(?=\d)/, '');

/** The `node` change between two pins, or null when both pin the same version (or neither pins one). */
export function diffNodePins(base: NodePin | null, head: NodePin | null): DependencyChange | null {
  if ((base?.spec ?? null) === (head?.spec ?? null)) return null;
  return nodeChange(base?.spec ?? null, head?.spec ?? null);
}

/** A `node` change whose kind comes from semver, ranges such as `20` → `22` counted by their lowest version. */
export function nodeChange(from: string | null, to: string | null): DependencyChange {
  const lowest = (spec: string | null) =>
    spec === null ? null : (semver.minVersion(spec, { loose: true })?.version ?? spec);
  let kind: DependencyChange['kind'];
  try {
    kind = classifyChange(lowest(from), lowest(to));
  } catch {
    kind = 'other';
  }
  return { name: 'node', from, to, kind, direct: true, isRuntime: true };
}
