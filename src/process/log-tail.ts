// The last lines of a log (an app's, an install's, a build's): what an error report shows a person.
import { open } from 'node:fs/promises';

/** Only the end matters, and logs of installs and busy servers can be large. */
const tailBytes = 64 * 1024;

/** The last `lines` lines of the file; empty when it does not exist (the process never started). */
export async function readLogTail(logPath: string, lines = 40): Promise<string> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(logPath, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await file.stat();
    const length = Math.min(size, tailBytes);
    const { buffer } = await file.read(Buffer.alloc(length), 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } finally {
    await file.close();
  }
}
