// Rules about upstream stubs that the JSON schema cannot express.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compileTemplate, TemplateError } from './template.js';
import type { Scenario } from './types.js';

export type UpstreamProblem = { index: number; field: string; message: string };

export function checkUpstreams(
  scenario: Scenario,
  scenarioDir: string,
  /** `leakwatch record` creates the fixture folders it writes. */
  options: { fixturesMayBeMissing?: boolean } = {},
): UpstreamProblem[] {
  const problems: UpstreamProblem[] = [];
  const envNames = new Set<string>();
  const origins = new Map<string, number>();
  (scenario.upstreams ?? []).forEach((upstream, index) => {
    const at = (field: string, message: string) => problems.push({ index, field, message });
    const name = `upstreams[${index}]`;
    const { latencyMs } = upstream;
    if (Array.isArray(latencyMs) && latencyMs[0] > latencyMs[1])
      at(
        'latencyMs',
        `${name}.latencyMs is [min, max], but min ${latencyMs[0]} is above max ${latencyMs[1]}`,
      );
    if (upstream.fixtures !== undefined && (upstream.echo || upstream.responseBytes !== undefined))
      at('fixtures', `${name} answers from fixtures, so it cannot also set echo or responseBytes`);
    if (upstream.shape !== undefined && (upstream.echo || upstream.fixtures !== undefined))
      at('shape', `${name} answers its shape, so it cannot also set echo or fixtures`);
    if (upstream.template !== undefined) {
      if (upstream.echo || upstream.fixtures !== undefined || upstream.shape !== undefined)
        at('template', `${name} answers its template, so it cannot also set echo, fixtures or shape`);
      try {
        compileTemplate(upstream.template);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        at('template', `${name}.template is a bad template: ${error.message}`);
      }
    }
    const fixturesDir =
      upstream.fixtures === undefined ? undefined : path.resolve(scenarioDir, upstream.fixtures);
    if (fixturesDir && !options.fixturesMayBeMissing && !existsSync(fixturesDir))
      at(
        'fixtures',
        `${name}.fixtures: folder ${fixturesDir} does not exist (\`leakwatch record\` writes it)`,
      );
    if (upstream.env === undefined && (upstream.hosts ?? []).length === 0)
      at(
        'name',
        `${name} needs env (a variable the app reads its URL from) or hosts (origins the app calls)`,
      );
    (upstream.hosts ?? []).forEach((origin, hostIndex) => {
      const key = originKey(origin);
      if (key === undefined) {
        at(
          'hosts',
          `${name}.hosts[${hostIndex}] must be an origin like https://api.example.com or http://cms:8080 (got ${JSON.stringify(origin)})`,
        );
      } else if (origins.has(key)) {
        at(
          'hosts',
          `${name}.hosts[${hostIndex}]: ${origin} is already claimed by upstreams[${origins.get(key)}]`,
        );
      } else origins.set(key, index);
    });
    if (upstream.env === undefined) return;
    if (envNames.has(upstream.env))
      at('env', `${name}.env: ${upstream.env} is already used by another upstream`);
    if (scenario.env?.[upstream.env] !== undefined)
      at('env', `${name}.env: ${upstream.env} is also set in the scenario's env; use one or the other`);
    envNames.add(upstream.env);
  });
  return problems;
}

/** `https://API.example.com/` → `https://api.example.com:443`; undefined for anything but a bare http(s) origin. */
function originKey(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    const isBare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if (!isBare || !/^https?:$/.test(url.protocol) || !/^https?:\/\/[^/]+\/?$/.test(origin)) return undefined;
    return `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  } catch {
    return undefined;
  }
}
