// The one table of metric names as readers see them: the comment's table rows and the terminal's short rows.
import type { MetricName } from '../model/report.js';

export const METRIC_LABELS: Record<MetricName, { row: string; short: string }> = {
  heapPlusExternal: { row: 'Heap + external', short: 'heap + external' },
  arrayBuffers: { row: 'ArrayBuffers', short: 'ArrayBuffers' },
  rss: { row: 'RSS', short: 'RSS' },
  activeResources: { row: 'Active handles', short: 'active handles' },
  openFds: { row: 'Open file descriptors', short: 'open fds' },
};

/** The metrics shown below the decisive one, in this order. */
export const OTHER_METRICS: readonly MetricName[] = ['arrayBuffers', 'rss', 'activeResources', 'openFds'];
