import { execFile } from 'node:child_process';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs git without a shell; never throws on a non-zero exit, so callers can branch on `exitCode`. */
export function git(repoDir: string, args: readonly string[]): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-C', repoDir, ...args],
      // Prompts would hang a CI job forever on a private remote.
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ exitCode: error ? Number(error.code) : 0, stdout: stdout.trim(), stderr: stderr.trim() });
      },
    );
  });
}
