// The files a dependency diff reads, from a commit (never touching the working tree) or from a plain folder
// (`compare --base-dir/--head-dir`, e.g. the demo): the diff itself does not care which.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { existingPaths, readFileAtCommit } from './git-files.js';

export interface FileTree {
  /** Which of `paths` (relative, `/`-separated) exist as files. */
  existing(paths: readonly string[]): Promise<Set<string>>;
  read(path: string): Promise<string>;
}

export function commitTree(repoDir: string, commit: string): FileTree {
  return {
    existing: (paths) => existingPaths(repoDir, commit, paths),
    read: (path) => readFileAtCommit(repoDir, commit, path),
  };
}

export function folderTree(dir: string): FileTree {
  return {
    existing: async (paths) => {
      const found = await Promise.all(
        paths.map((path) =>
          stat(join(dir, path)).then(
            (info) => info.isFile(),
            () => false,
          ),
        ),
      );
      return new Set(paths.filter((_, index) => found[index]));
    },
    read: (path) => readFile(join(dir, path), 'utf8'),
  };
}
