// A comparison that never ran because a side did not install or build: a result to report, never a pass.
import { compareSides } from '../analysis/rules.js';
import { describeEnvironment } from '../measure/compare.js';
import type { CompareReport, SideResult } from '../model/report.js';
import type { PreparedSide } from '../prepare/prepare-both.js';
import { leakwatchVersion } from '../process/package-files.js';
import { LeakwatchError } from '../settings/errors.js';
import type { RunPlan } from '../settings/table.js';

/** A comparison that never ran, because one side (or both) did not install or build. */
export function reportOfUnbuiltSides(
  prepared: { base: PreparedSide; head: PreparedSide },
  plan: RunPlan,
  runtimeNote: string,
): CompareReport {
  const [baseResult, headResult] = [prepared.base.result, prepared.head.result];
  const stage =
    !baseResult.ok && !headResult.ok
      ? baseResult.stage === headResult.stage
        ? baseResult.stage
        : 'install or build'
      : null;
  const both = stage
    ? `Base and head both fail to ${stage}, so the cause is not this change. ${runtimeNote}`
    : '';
  const base = unbuiltSide('base', prepared.base, both);
  const head = unbuiltSide('head', prepared.head, both);
  return {
    schemaVersion: 1,
    kind: 'compare',
    plan,
    environment: describeEnvironment(leakwatchVersion()),
    base,
    head,
    comparison: compareSides(base, head, plan.thresholdBytesPerRequest),
    // Nothing ran, so there is no schedule and no load: readers show the plan as "not run".
    startedAt: new Date().toISOString(),
    durationMs: 0,
  };
}

/**
 * A side that never ran: its install or build failed, which is a result to report, never a pass. When both
 * failed, the hint says so first: the cause predates the change.
 */
function unbuiltSide(label: 'base' | 'head', side: PreparedSide, both: string): SideResult {
  const result = side.result;
  return {
    label,
    appDir: side.appDir,
    samples: [],
    // Nothing was measured: no fits, rather than fits of no samples.
    fits: [],
    verdict: 'error',
    exit: null,
    ...(result.ok
      ? {}
      : {
          error: new LeakwatchError(
            result.stage === 'install' ? 'INSTALL_FAILED' : 'BUILD_FAILED',
            `${label} failed to ${result.stage}${result.isTimedOut ? ' (timed out)' : ` (exit code ${result.exitCode})`}`,
            { hint: `${both}${result.hint}`, logTail: result.logTail },
          ).toReported(),
        }),
  };
}
