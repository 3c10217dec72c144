// Builds call the API too: Next.js getStaticProps and getStaticPaths fetch it at build time. The build gets the
// app's rerouting: the scenario's stubs, started before it, and leakwatch's probe preloaded for its network
// rules only (no harness socket, so nothing is sampled): declared hosts answer from fixtures, other outbound
// connections are blocked unless `outbound: allow`, and each blocked host is written to the build log.
import { startUpstreams } from '../app/upstream/start.js';
import type { OutboundPolicy } from '../model/report.js';
import { currentSandbox } from '../process/isolation/sandbox.js';
import type { Scenario } from '../scenario/types.js';

export interface BuildNetwork extends AsyncDisposable {
  /** Env added to the build step (not the install): stub URLs, the outbound rules, the CA and the probe. */
  env: Record<string, string>;
}

export async function startBuildNetwork(options: {
  /**
   * Whose build: its stubs run as that side's sandbox user, since each step ends by killing all of its user's
   * processes (so they start after the install, and end with the build).
   */
  label: 'base' | 'head';
  scenario: Scenario;
  /** Fixture folders are relative to it. */
  scenarioDir: string;
  outbound: OutboundPolicy;
  probePath: string;
  log: (line: string) => void;
}): Promise<BuildNetwork> {
  const upstreams = await startUpstreams({
    specs: options.scenario.upstreams ?? [],
    scenarioDir: options.scenarioDir,
    outbound: options.outbound,
    side: options.label,
    log: (line) => options.log(`${options.label}: build: ${line}`),
  });
  // Sandboxed, the build runs as its side's user, who reads the probe from the sandbox's copy.
  const probePath = currentSandbox()?.probePath ?? options.probePath;
  return {
    env: { ...upstreams.env, NODE_OPTIONS: `--require ${JSON.stringify(probePath)}` },
    [Symbol.asyncDispose]: () => upstreams.stop(),
  };
}
