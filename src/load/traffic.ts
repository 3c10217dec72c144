// Tallies what the app answered to one side's requests, per status and per request template of the scenario, so
// a memory verdict is never read off 404 pages or refused connections.
import type { FailedAnswer, TemplateTraffic, TrafficCounts } from '../model/report.js';
import type { RequestTemplate } from '../scenario/types.js';

const bodyStartChars = 300;

/** A 2xx or 3xx answer succeeds, unless the request names the statuses it expects. */
export function isExpectedStatus(status: number, expectStatus: RequestTemplate['expectStatus']): boolean {
  if (expectStatus === undefined) return status >= 200 && status < 400;
  return Array.isArray(expectStatus) ? expectStatus.includes(status) : status === expectStatus;
}

/** One side's running counts over all its rounds; the load generator feeds it request by request. */
export class TrafficCounter {
  /** Answers so far, read when the app dies to say how far it got. */
  answered = 0;
  private sent = 0;
  private readonly templates: { spec: RequestTemplate; traffic: TemplateTraffic }[];
  /** Errors of requests whose template is not known (none from the load generator as used here). */
  private readonly untemplated = { connectionErrors: 0, timeouts: 0 };
  private readonly failedStatuses: Record<string, number> = {};
  private firstFailure: FailedAnswer | null = null;
  private firstError: string | null = null;

  constructor(requests: readonly RequestTemplate[]) {
    this.templates = requests.map((spec) => ({
      spec,
      traffic: {
        method: spec.method ?? 'GET',
        path: spec.path,
        sent: 0,
        answered: 0,
        statuses: {},
        connectionErrors: 0,
        timeouts: 0,
        failed: 0,
      },
    }));
  }

  countSent(template: number): void {
    this.sent++;
    const entry = this.templates[template];
    if (entry) entry.traffic.sent++;
  }

  countAnswer(
    template: number,
    request: { method: string; path: string },
    status: number,
    body: string,
  ): void {
    this.answered++;
    const entry = this.templates[template];
    if (!entry) return;
    const { traffic } = entry;
    traffic.answered++;
    traffic.statuses[status] = (traffic.statuses[status] ?? 0) + 1;
    if (isExpectedStatus(status, entry.spec.expectStatus)) return;
    traffic.failed++;
    this.failedStatuses[status] = (this.failedStatuses[status] ?? 0) + 1;
    this.firstFailure ??= { ...request, status, bodyStart: body.slice(0, bodyStartChars) };
  }

  /** `template`: the request's template, when the load generator can tell which request failed. */
  countError(template: number | undefined, kind: 'timeout' | 'connection', message: string): void {
    const counts =
      (template === undefined ? undefined : this.templates[template]?.traffic) ?? this.untemplated;
    if (kind === 'timeout') counts.timeouts++;
    else counts.connectionErrors++;
    this.firstError ??= message;
  }

  counts(): TrafficCounts {
    const statuses: Record<string, number> = {};
    const statusClasses: Record<string, number> = {};
    let failed = 0;
    let connectionErrors = this.untemplated.connectionErrors;
    let timeouts = this.untemplated.timeouts;
    const templates = this.templates.map(({ traffic }) => {
      for (const [status, count] of Object.entries(traffic.statuses)) {
        statuses[status] = (statuses[status] ?? 0) + count;
        const statusClass = `${status[0]}xx`;
        statusClasses[statusClass] = (statusClasses[statusClass] ?? 0) + count;
      }
      // A connection the app closes without answering ends a request with neither an answer nor an error event.
      const closed = Math.max(
        0,
        traffic.sent - traffic.answered - traffic.connectionErrors - traffic.timeouts,
      );
      const template = { ...structuredClone(traffic), connectionErrors: traffic.connectionErrors + closed };
      template.failed = traffic.failed + template.connectionErrors + template.timeouts;
      failed += template.failed;
      connectionErrors += template.connectionErrors;
      timeouts += template.timeouts;
      return template;
    });
    return {
      requests: this.sent,
      statuses,
      statusClasses,
      failedStatuses: { ...this.failedStatuses },
      connectionErrors,
      timeouts,
      failed: failed + this.untemplated.connectionErrors + this.untemplated.timeouts,
      templates,
      firstFailure: this.firstFailure,
      firstError: this.firstError,
    };
  }
}
