// The four comments a reviewer meets, built from engine-shaped reports: a FAIL with a real heap diff (the demo's
// contentful-sdk-core 6.4.4, recorded by `npm run demo`), a PASS that removes that leak, a leak present at
// base and head, and both apps failing to start.
import type { CompareReport, HeapExplanation, HeapGrowthRow } from '../../src/model/report.js';
import { buildReport, contentfulBump } from './build-report.js';
import heapFixture from './fixtures/contentful-head-heap.json' with { type: 'json' };

const headHeap: HeapExplanation = {
  label: 'head',
  status: 'analysed',
  requests: 1000,
  growing: heapFixture.growing as HeapGrowthRow[],
  analysisMs: 900,
};

const withHeadDir = (report: CompareReport): CompareReport => ({
  ...report,
  head: { ...report.head, appDir: heapFixture.appDir },
});

export function failExample(): CompareReport {
  return withHeadDir(
    buildReport({
      verdict: 'regression',
      base: { slopeBytes: -110 },
      head: { slopeBytes: 3580 },
      dependencyChanges: [contentfulBump],
      heapDiffs: [headHeap],
    }),
  );
}

export function passExample(): CompareReport {
  return buildReport({
    verdict: 'improvement',
    base: { slopeBytes: 3600 },
    head: { slopeBytes: 18 },
    dependencyChanges: [{ ...contentfulBump, from: '6.4.4', to: '6.4.5', kind: 'patch' }],
  });
}

export function preExistingExample(): CompareReport {
  return withHeadDir(
    buildReport({
      verdict: 'pre-existing',
      base: { slopeBytes: 3560 },
      head: { slopeBytes: 3590 },
      dependencyChanges: [{ name: 'ms', from: '2.1.2', to: '2.1.3', kind: 'patch', direct: true }],
      heapDiffs: [headHeap],
    }),
  );
}

export function errorExample(): CompareReport {
  const failure = {
    code: 'START_FAILED' as const,
    message: 'the app exited with code 1 before answering on /',
    hint: 'Check `start-command` (`node srever.js`): the file it runs must exist in the app folder.',
    logTail: [
      'node:internal/modules/cjs/loader:1228',
      '  throw err;',
      '  ^',
      '',
      "Error: Cannot find module '/home/runner/work/shop/shop/srever.js'",
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)',
      '    at Module._load (node:internal/modules/cjs/loader:1051:27)',
      '    at node:internal/main/run_main_module:28:49 {',
      "  code: 'MODULE_NOT_FOUND',",
      '  requireStack: []',
      '}',
      '',
      'Node.js v20.20.0',
    ].join('\n'),
  };
  const report = buildReport({
    verdict: 'error',
    base: { slopeBytes: 0, error: failure, sampleCount: 0 },
    head: { slopeBytes: 0, error: failure, sampleCount: 0 },
    dependencyChanges: [contentfulBump],
  });
  // The apps ran and died before they served: zero requests is what they got.
  const noLoad = { requests: 0, durationMs: 0, requestsPerSecond: 0, latencyP50Ms: 0, latencyP99Ms: 0 };
  return {
    ...report,
    base: { ...report.base, load: noLoad, fits: [] },
    head: { ...report.head, load: noLoad, fits: [] },
    comparison: { ...report.comparison, deltaBytesPerRequest: null, deltaUncertainty: null },
  };
}
