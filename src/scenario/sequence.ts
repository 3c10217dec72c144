import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { LeakwatchError } from '../settings/errors.js';
import { type CompiledTemplate, compileTemplate, type ExpansionContext } from './template.js';
import type { RequestSpec, Scenario } from './types.js';

interface CompiledRequest {
  /** Index in `scenario.requests`. */
  template: number;
  method: string;
  path: CompiledTemplate;
  headers: [name: string, value: CompiledTemplate][];
  body?: CompiledTemplate;
  /** Upper bound of this request's slice of [0, total weight). */
  cumulativeWeight: number;
}

/**
 * Returns a generator of concrete requests: a weighted pick from `scenario.requests`, templates expanded.
 * The same scenario and seed always give the same sequence, so base and head get identical traffic.
 * Templates are compiled once here; each call only draws random numbers and concatenates.
 */
export function createRequestSequence(scenario: Scenario, seed: number): () => RequestSpec {
  const requests = compileRequests(scenario);
  const totalWeight = requests.at(-1)?.cumulativeWeight ?? 0;
  const context: ExpansionContext = { rng: xoroshiro128plus(seed), seq: 0 };

  const pickRequest = (): CompiledRequest => {
    if (requests.length === 1) return requests[0] as CompiledRequest;
    const point = ((context.rng.next() >>> 0) / 0x1_0000_0000) * totalWeight;
    return (
      requests.find((request) => point < request.cumulativeWeight) ?? (requests.at(-1) as CompiledRequest)
    );
  };

  return () => {
    context.seq++;
    const request = pickRequest();
    // A fresh headers object per request: autocannon writes Content-Length into the one it is given.
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) headers[name] = value.expand(context);
    const spec: RequestSpec = {
      template: request.template,
      method: request.method,
      path: request.path.expand(context),
      headers,
    };
    if (request.body) spec.body = request.body.expand(context);
    return spec;
  };
}

function compileRequests(scenario: Scenario): CompiledRequest[] {
  let cumulativeWeight = 0;
  const compiled: CompiledRequest[] = [];
  for (const [template, request] of scenario.requests.entries()) {
    const weight = request.weight ?? 1;
    if (weight <= 0) continue;
    cumulativeWeight += weight;
    compiled.push({
      template,
      method: (request.method ?? 'GET').toUpperCase(),
      path: compileTemplate(request.path),
      headers: Object.entries(request.headers ?? {}).map(([name, value]) => [name, compileTemplate(value)]),
      body: request.body === undefined ? undefined : compileTemplate(request.body),
      cumulativeWeight,
    });
  }
  if (compiled.length === 0) {
    throw new LeakwatchError(
      'SCENARIO_INVALID',
      `Scenario "${scenario.name}" has no request with a weight above 0.`,
      {
        hint: 'Give at least one request a positive weight (the default is 1).',
      },
    );
  }
  return compiled;
}
