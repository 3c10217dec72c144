// `leakwatch record`: runs the app once with its declared hosts reaching the real origins, through stubs that
// write each answer as a fixture next to the scenario. Committed fixtures make every later run replay them,
// with no request leaving the machine. Other outbound hosts stay blocked, as in a measurement.
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startApp } from '../app/app.js';
import type { RecordedMessage } from '../app/upstream/recorder.js';
import { startUpstreams } from '../app/upstream/start.js';
import { sendLoad } from '../load/load.js';
import { TrafficCounter } from '../load/traffic.js';
import type { OutboundHost } from '../model/report.js';
import { probePath } from '../process/package-files.js';
import { loadScenario } from '../scenario/load.js';
import { createRequestSequence } from '../scenario/sequence.js';
import type { UpstreamSpec } from '../scenario/types.js';
import { LeakwatchError } from '../settings/errors.js';
import { buildRunPlan } from '../settings/read.js';
import type { SharedOptions } from './args.js';

export interface RecordArgs {
  appDir: string;
  /** Requests sent to the app while recording. */
  requests: number;
  /** Larger answers are passed on to the app but not written. */
  maxFixtureBytes: number;
}

export async function runRecord(
  args: RecordArgs,
  shared: SharedOptions,
  logDir: string,
  io: { cwd: string; stdout: (text: string) => void; stderr: (text: string) => void },
): Promise<number> {
  const log = (line: string) => io.stderr(`leakwatch: ${line}\n`);
  if (!shared.scenario) {
    throw new LeakwatchError(
      'USAGE',
      '`record` needs --scenario <file>: the fixtures are written next to it.',
    );
  }
  const scenario = await loadScenario({
    nameOrPath: shared.scenario,
    cwd: io.cwd,
    fixturesMayBeMissing: true,
  });
  const scenarioDir = dirname(scenario.sourcePath ?? io.cwd);
  const specs = (scenario.upstreams ?? []).map((spec) => withFixtures(spec));
  const recorded = specs.filter((spec) => (spec.hosts ?? []).length > 0);
  if (recorded.length === 0) {
    throw new LeakwatchError(
      'RECORD_NOTHING',
      'The scenario declares no upstream with hosts: nothing to record.',
      {
        hint: 'Add the origins the app calls, e.g. upstreams: [{ name: api, hosts: ["https://api.example.com"] }].',
      },
    );
  }
  const plan = buildRunPlan(shared.settings, scenario);
  await using upstreams = await startUpstreams({
    specs,
    scenarioDir,
    outbound: 'block',
    record: { maxBytes: args.maxFixtureBytes },
    log,
  });
  await using app = await startApp({
    label: 'record',
    appDir: resolve(io.cwd, args.appDir),
    startCommand: plan.startCommand,
    readyPath: plan.readyPath,
    readyTimeoutMs: plan.readyTimeoutMs,
    heapCapMb: plan.heapCapMb,
    rssLimitMb: plan.rssLimitMb,
    probePath: probePath(),
    logPath: join(logDir, 'record.log'),
    env: { ...scenario.env, ...upstreams.env },
    log,
  });
  const next = createRequestSequence(scenario, plan.seed);
  log(`recording: ${args.requests} requests of scenario ${scenario.name}`);
  const traffic = new TrafficCounter(scenario.requests);
  const load = await sendLoad({
    url: app.url,
    requests: args.requests,
    connections: 1,
    nextRequest: next,
    traffic,
  });
  await app.hub.sample();
  const blocked = app.hub.outbound.filter((host) => host.action === 'blocked');
  // Fixture files are written after each answer has gone back to the app: give the last ones a moment.
  await delay(500);
  await upstreams.stop();

  const lines = describeRecording({
    recorded: upstreams.recorded,
    requestsSent: load.requests,
    failed: traffic.counts().failed,
    blocked,
    specs,
    declared: scenario.upstreams ?? [],
    fixturesDir: (spec) => relative(io.cwd, resolve(scenarioDir, spec.fixtures ?? '')),
  });
  io.stdout(`${lines.join('\n')}\n`);
  return upstreams.recorded.some((entry) => entry.type === 'recorded') ? 0 : 2;
}

/** The summary `record` prints: what was written where, what was not and why, and what to add to the scenario. */
function describeRecording(context: {
  recorded: RecordedMessage[];
  requestsSent: number;
  /** Requests that failed: not 2xx/3xx, a connection error or a timeout. */
  failed: number;
  blocked: OutboundHost[];
  specs: UpstreamSpec[];
  declared: UpstreamSpec[];
  fixturesDir: (spec: UpstreamSpec) => string;
}): string[] {
  const written = context.recorded.flatMap((entry) => (entry.type === 'recorded' ? [entry] : []));
  const skipped = context.recorded.flatMap((entry) => (entry.type === 'not-recorded' ? [entry] : []));
  const lines = [
    `sent ${context.requestsSent} requests${context.failed > 0 ? ` (${context.failed} failed)` : ''}: ${new Set(written.map((entry) => entry.file)).size} fixture files written ` +
      `from ${written.length} answers, ${new Set(skipped.map((entry) => entry.url)).size} URLs not recorded`,
    ...context.specs
      .filter((spec) => (spec.hosts ?? []).length > 0)
      .map((spec) => `  ${spec.name}: fixtures in ${context.fixturesDir(spec)}`),
    ...dedupe(
      written.map((entry) => `  ${entry.url} → ${entry.file} (${entry.status}, ${entry.bytes} bytes)`),
    ),
    ...dedupe(skipped.map((entry) => `  not recorded: ${entry.url}: ${entry.reason}`)),
    ...context.blocked.map(
      (host) => `  blocked (not declared in any upstream's hosts): ${host.host} ×${host.connections}`,
    ),
    ...context.specs
      .filter((spec, index) => spec.fixtures !== context.declared[index]?.fixtures)
      .map(
        (spec) =>
          `  add \`fixtures: ${spec.fixtures}\` to upstream "${spec.name}" in the scenario, so runs replay them`,
      ),
  ];
  return lines;
}

/** An upstream with hosts and no fixtures folder records into `fixtures/<name>` next to the scenario. */
function withFixtures(spec: UpstreamSpec): UpstreamSpec {
  if ((spec.hosts ?? []).length === 0 || spec.fixtures !== undefined) return spec;
  return { ...spec, fixtures: `fixtures/${spec.name}` };
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
