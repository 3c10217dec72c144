// The one error type leakwatch throws on purpose, and every code it can carry. Entries print `message` and
// `hint`; anything else is a bug. Codes also name a side's failure in report.json (`SideResult.error`).

export const ERROR_CODES = [
  // Settings, inputs and events.
  'USAGE',
  'CONFIG_INVALID',
  'SETTING_OUT_OF_BOUNDS',
  'UNSAFE_EVENT',
  'WORKING_DIRECTORY_OUTSIDE',
  // Scenarios.
  'SCENARIO_NOT_FOUND',
  'SCENARIO_INVALID',
  // Processes, isolation and leakwatch's own files.
  'SPAWN_FAILED',
  'TIME_LIMIT',
  'ISOLATION_FAILED',
  'ISOLATION_UNAVAILABLE',
  'PACKAGE_INCOMPLETE',
  // Git, refs and the dependency diff.
  'NOT_A_GIT_REPO',
  'GIT_FAILED',
  'REF_INVALID',
  'REF_NOT_FOUND',
  'SHALLOW_CLONE',
  'NO_MERGE_BASE',
  'MANIFEST_MISSING',
  'MANIFEST_UNPARSABLE',
  'LOCKFILE_UNPARSABLE',
  // Preparing a side.
  'WORKTREE_FAILED',
  'PACKAGE_MANAGER_INVALID',
  'NODE_PIN_UNSUPPORTED',
  'NODE_INSTALL_FAILED',
  'NODE_NOT_IN_TOOL_CACHE',
  'NODE_NOT_ON_REGISTRY',
  'INSTALL_FAILED',
  'BUILD_FAILED',
  'ABORTED',
  // Running the app and its stubs.
  'START_FAILED',
  'NOT_READY',
  'STUB_FAILED',
  'STUB_MISSING',
  'PROBE_SOCKET',
  'PROBE_MISSING',
  'PROBE_CHANNEL',
  'PROBE_CLOSED',
  'PROBE_FAILURE',
  'PROBE_TIMEOUT',
  // Load and traffic.
  'LOAD_FAILED',
  'REQUESTS_FAILED',
  'FAILURES_DIFFER',
  'UPSTREAM_UNUSED',
  'UPSTREAM_MISSES',
  // Heap snapshots.
  'HEAP_SNAPSHOT_UNREADABLE',
  'HEAP_SNAPSHOT_MALFORMED',
  'HEAP_DIFF_ORDER',
  'HEAP_DIFF_REQUESTS',
  // Reports and GitHub.
  'REPORT_REJECTED',
  'MEASURE_FAILED',
  'GITHUB_COMMENT_FAILED',
  'GITHUB_CHECK_FAILED',
  // The CLI's record command.
  'RECORD_NOTHING',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as a report carries it: what failed, how to fix it, and the end of the log that shows it. */
export interface ReportedError {
  code: ErrorCode;
  message: string;
  hint?: string;
  logTail?: string;
}

export class LeakwatchError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  /** The end of the log of the command or app that failed. */
  readonly logTail?: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; logTail?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'LeakwatchError';
    this.code = code;
    this.hint = options.hint;
    this.logTail = options.logTail;
  }

  /** The one way an error becomes part of a report (a side's `error`, or the comment's). */
  toReported(): ReportedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.logTail === undefined ? {} : { logTail: this.logTail }),
    };
  }
}
