// The schema of a report's sides (samples, exits, traffic, errors, heap diffs) and its JSON Schema building
// blocks; validate.ts assembles the whole report's schema from them.
import { ERROR_CODES } from '../settings/errors.js';

export const text = (maxLength: number) => ({ type: 'string', maxLength });
export const count = { type: 'number', minimum: 0 };
export const number = { type: 'number' };
export const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
export const object = (properties: Record<string, object>, optional: string[] = []) => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
});
export const sha = { type: 'string', pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$' };

export const slopeFit = object({ slope: number, low: number, high: number, points: count });
export const metricFit = object(
  {
    metric: { enum: ['heapPlusExternal', 'arrayBuffers', 'rss', 'activeResources', 'openFds'] },
    whole: nullable(slopeFit),
    early: nullable(slopeFit),
    steady: nullable(slopeFit),
    retainedAfterSettle: nullable(number),
    retainedAfterSettleUncertainty: nullable(number),
    verdict: { enum: ['leak', 'plateau', 'transient', 'flat', null] },
  },
  ['early', 'retainedAfterSettleUncertainty'],
);
export const sample = object(
  {
    requestsSent: count,
    requestsSeen: count,
    elapsedMs: count,
    phase: { enum: ['warmup', 'measure', 'explain', 'idle', 'settle'] },
    heapUsedBytes: count,
    externalBytes: count,
    arrayBuffersBytes: count,
    rssBytes: count,
    v8UsedHeapBytes: count,
    activeResources: { type: 'object', maxProperties: 200, additionalProperties: count },
    openFds: nullable(count),
    processCount: count,
  },
  ['openFds'],
);
export const logTail = text(100_000);
export const exit = {
  oneOf: [
    object({ kind: { const: 'oom' }, requestsSent: count, elapsedMs: count, logTail }),
    object({
      kind: { const: 'watchdog' },
      rssBytes: count,
      limitBytes: count,
      requestsSent: count,
      elapsedMs: count,
    }),
    object({
      kind: { const: 'crash' },
      code: nullable({ type: 'integer' }),
      // Both reach the headline as words: only a signal's or an errno's name is one.
      signal: nullable({ type: 'string', pattern: '^SIG[A-Z0-9]{1,12}$' }),
      requestsSent: count,
      logTail,
    }),
    object({
      kind: { const: 'exhausted' },
      errorCode: { type: 'string', pattern: '^E[A-Z0-9]{1,20}$' },
      requestsSent: count,
      elapsedMs: count,
      logTail,
    }),
  ],
};
export const statusCounts = {
  type: 'object',
  maxProperties: 600,
  propertyNames: { pattern: '^[1-9][0-9]{2}$|^[1-9]xx$' },
  additionalProperties: count,
};
export const traffic = object({
  requests: count,
  statuses: statusCounts,
  statusClasses: statusCounts,
  failedStatuses: statusCounts,
  connectionErrors: count,
  timeouts: count,
  failed: count,
  templates: {
    type: 'array',
    maxItems: 10_000,
    items: object({
      method: text(20),
      path: text(100_000),
      sent: count,
      answered: count,
      statuses: statusCounts,
      connectionErrors: count,
      timeouts: count,
      failed: count,
    }),
  },
  firstFailure: nullable(
    object({ method: text(20), path: text(100_000), status: count, bodyStart: text(1000) }),
  ),
  firstError: nullable(text(10_000)),
});
export const side = object(
  {
    label: { enum: ['base', 'head'] },
    appDir: text(4096),
    samples: { type: 'array', maxItems: 100_000, items: sample },
    fits: { type: 'array', maxItems: 5, items: metricFit },
    verdict: { enum: ['leak', 'plateau', 'transient', 'flat', 'crashed', 'error'] },
    exit: nullable(exit),
    load: object({
      requests: count,
      durationMs: count,
      requestsPerSecond: count,
      latencyP50Ms: count,
      latencyP99Ms: count,
    }),
    traffic,
    error: object({ code: { enum: [...ERROR_CODES] }, message: text(10_000), hint: text(10_000), logTail }, [
      'hint',
      'logTail',
    ]),
    network: object({
      outbound: { enum: ['block', 'allow'] },
      stubs: {
        type: 'array',
        maxItems: 100,
        items: object(
          {
            name: text(200),
            env: text(200),
            hosts: { type: 'array', maxItems: 100, items: text(500) },
            requests: count,
            source: { enum: ['fixtures', 'shape', 'template', 'echo', 'synthetic', 'record'] },
            answered: count,
            misses: count,
            missedPaths: {
              type: 'array',
              maxItems: 20,
              items: object({ path: text(500), count, file: text(500) }),
            },
            fixtures: text(4096),
          },
          ['env', 'fixtures'],
        ),
      },
      hosts: {
        type: 'array',
        maxItems: 500,
        items: object(
          {
            host: text(500),
            action: { enum: ['stub', 'blocked', 'allowed'] },
            upstream: text(200),
            connections: count,
          },
          ['upstream'],
        ),
      },
    }),
    nodeVersion: text(100),
  },
  ['load', 'traffic', 'error', 'network', 'nodeVersion'],
);
export const deathFacts = object({
  isDead: { type: 'boolean' },
  requestsSent: count,
  elapsedMs: count,
  slopeBytesPerRequest: nullable(number),
  fdsPerRequest: nullable(number),
  handlesPerRequest: nullable(number),
});
export const heapGrowthRow = object({
  name: text(1000),
  nodeType: text(100),
  objectsPerRequest: number,
  bytesPerRequest: number,
  retainedBytesPerRequest: nullable(number),
  retainerPath: nullable(text(10_000)),
  sourceFile: nullable(text(4096)),
  packages: { type: 'array', maxItems: 50, items: text(214) },
  bumpedPackages: { type: 'array', maxItems: 50, items: text(214) },
});
export const heapExplanation = {
  oneOf: [
    object({
      label: { enum: ['base', 'head'] },
      status: { const: 'analysed' },
      requests: count,
      growing: { type: 'array', maxItems: 50, items: heapGrowthRow },
      analysisMs: count,
    }),
    object({ label: { enum: ['base', 'head'] }, status: { const: 'skipped' }, reason: text(2000) }),
  ],
};
export const dependencyChange = object({
  name: text(214),
  from: nullable(text(256)),
  to: nullable(text(256)),
  kind: { enum: ['major', 'minor', 'patch', 'prerelease', 'downgrade', 'added', 'removed', 'other'] },
  direct: { type: 'boolean' },
});
