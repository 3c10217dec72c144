import { execFile } from 'node:child_process';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// Lockfiles of large monorepos reach tens of megabytes; execFile's 1 MB default would cut them off.
const maxBufferBytes = 512 * 1024 * 1024;

/**
 * The one git runner: no shell, and never throws on a non-zero exit, so callers can branch on `exitCode`.
 * Output is trimmed unless `isRaw` (file contents read from the object store).
 */
export function git(
  repoDir: string,
  args: readonly string[],
  options: { isRaw?: boolean } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-C', repoDir, ...args],
      // Prompts would hang a CI job forever on a private remote.
      { maxBuffer: maxBufferBytes, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        const exitCode = error ? Number(error.code) : 0;
        resolve({ exitCode, stdout: options.isRaw ? stdout : stdout.trim(), stderr: stderr.trim() });
      },
    );
  });
}

/** The commit `ref` names, or null when it names none; `--end-of-options` keeps a ref from reading as an option. */
export async function commitOf(repoDir: string, ref: string): Promise<string | null> {
  const result = await git(repoDir, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${ref}^{commit}`,
  ]);
  return result.exitCode === 0 ? result.stdout : null;
}
