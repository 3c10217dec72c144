// A whole run's wall-time limit: when it passes, everything leakwatch started is killed and the run is an
// error naming the phase that ran out of time, instead of a job that hangs until the runner's timeout.
import { LeakwatchError } from '../settings/errors.js';
import { killEverything } from './process-group.js';

let currentPhase = 'starting';

/** Names what the run is doing, for the time-limit error. */
export function enterPhase(phase: string): void {
  currentPhase = phase;
}

/** How long the killed work may take to unwind (dispose worktrees, stop stubs) before the error is thrown. */
const unwindMs = 60_000;

export async function withTimeLimit<T>(limitMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const phase = currentPhase;
      killEverything();
      reject(
        new LeakwatchError(
          'TIME_LIMIT',
          `the run passed its time limit of ${formatLimit(limitMs)} during ${phase}`,
          {
            hint: `Everything was stopped. Make ${phase} faster, measure fewer requests, or raise time-limit-minutes.`,
          },
        ),
      );
    }, limitMs);
  });
  enterPhase('starting');
  const running = work();
  try {
    return await Promise.race([running, expired]);
  } catch (error) {
    if (error instanceof LeakwatchError && error.code === 'TIME_LIMIT') {
      const unwound = new Promise((resolve) => setTimeout(resolve, unwindMs).unref());
      await Promise.race([running.catch(() => undefined), unwound]);
      killEverything();
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function formatLimit(limitMs: number): string {
  return limitMs < 60_000 ? `${Math.round(limitMs / 1000)} s` : `${Math.round(limitMs / 6000) / 10} min`;
}
