import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { createRequestSequence } from '../../src/scenario/sequence.js';
import { parseScenario } from '../../src/scenario/validate.js';

const scenariosDir = path.resolve(import.meta.dirname, '../../scenarios');
const builtInNames = (await readdir(scenariosDir))
  .filter((file) => file.endsWith('.yml'))
  .map((file) => file.slice(0, -4));

describe('built-in scenarios', () => {
  it('ships the documented set', () => {
    expect(builtInNames.sort()).toEqual(
      [
        'default',
        'health-check',
        'long-urls-outbound',
        'multi-route',
        'ssr-cache-fragmenting',
        'unique-paths',
      ].sort(),
    );
  });

  it.each(builtInNames)('%s loads by name, validates and generates requests', async (name) => {
    const scenario = await loadScenario({ nameOrPath: name, cwd: '/' });
    expect(scenario.name).toBe(name);
    expect(scenario.description).toBeTruthy();
    expect(scenario.sourcePath).toBe(path.join(scenariosDir, `${name}.yml`));
    const next = createRequestSequence(scenario, 1);
    for (let i = 0; i < 50; i++) {
      const request = next();
      expect(request.path).toMatch(/^\/[^\s{}]*$/);
      expect(request.method).toBe('GET');
    }
  });

  it('uses default when no scenario is named', async () => {
    expect((await loadScenario({ nameOrPath: undefined, cwd: '/' })).name).toBe('default');
  });

  it('makes the traffic shapes the stories need', async () => {
    const sample = async (name: string) => {
      const next = createRequestSequence(await loadScenario({ nameOrPath: name, cwd: '/' }), 5);
      return Array.from({ length: 200 }, () => next().path);
    };
    const fragmenting = await sample('ssr-cache-fragmenting');
    expect(new Set(fragmenting).size).toBe(200);
    expect(new Set(fragmenting.map((url) => new URL(url, 'http://x').searchParams.get('name'))).size).toBe(8);
    const longUrls = await sample('long-urls-outbound');
    for (const url of longUrls) expect(url.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(await sample('unique-paths')).size).toBe(200);
  });

  // A stub in a variable the app never reads got no request and let every fetch fail: no built-in may declare one.
  it.each(builtInNames)('%s declares no upstream the app has to find in an env variable', async (name) => {
    const scenario = await loadScenario({ nameOrPath: name, cwd: '/' });
    expect(scenario.upstreams ?? []).toEqual([]);
  });

  it.each(['ssr-cache-fragmenting', 'long-urls-outbound'])(
    '%s says what to set, and its commented upstream is valid once uncommented',
    async (name) => {
      const text = await readFile(path.join(scenariosDir, `${name}.yml`), 'utf8');
      expect(text).toMatch(/What you must set/);
      const uncommented = text.replace(/^# (upstreams:| {2})/gm, '$1');
      const scenario = parseScenario({
        text: uncommented,
        displayPath: name,
        scenarioDir: '/',
        defaultName: name,
      });
      expect(scenario.upstreams?.[0]?.hosts?.[0]).toMatch(/^https:\/\//);
      expect(scenario.upstreams?.[0]?.env).toBeUndefined();
    },
  );

  it('names the built-ins when a name is unknown', async () => {
    await expect(loadScenario({ nameOrPath: 'no-such-scenario', cwd: '/' })).rejects.toMatchObject({
      code: 'SCENARIO_NOT_FOUND',
      hint: expect.stringContaining('unique-paths'),
    });
  });
});
