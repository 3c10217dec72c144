// .nvmrc aliases read as nvm and setup-node read them: a codename is its LTS major, `lts/*` the newest LTS line,
// `node`/`latest` any release; anything else that is no version or range is refused with the aliases it could be.
import { describe, expect, it } from 'vitest';
import { LTS_CODENAMES, nodeAliasRange } from '../../src/prepare/node-aliases.js';
import { resolveNodeRuntime } from '../../src/prepare/node-runtime.js';

describe('Node.js pin aliases', () => {
  it('maps every LTS codename to its major, in any case', () => {
    expect(nodeAliasRange('lts/argon')).toBe('4.x');
    expect(nodeAliasRange('lts/hydrogen')).toBe('18.x');
    expect(nodeAliasRange('lts/iron')).toBe('20.x');
    expect(nodeAliasRange('LTS/Jod')).toBe('22.x');
    expect(nodeAliasRange('lts/krypton')).toBe('24.x');
    // Even majors, two apart, from 4: a typo in the table shows here.
    expect(Object.values(LTS_CODENAMES)).toEqual([4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
  });

  it('reads lts/* as the newest LTS line and lts/-N as the Nth before it', () => {
    expect(nodeAliasRange('lts/*')).toBe('24.x');
    expect(nodeAliasRange('lts/-1')).toBe('22.x');
    expect(nodeAliasRange('lts/-2')).toBe('20.x');
  });

  it('reads node, latest, current and stable as any release', () => {
    for (const alias of ['node', 'latest', 'current', 'stable']) expect(nodeAliasRange(alias)).toBe('*');
  });

  it('leaves versions and ranges alone', () => {
    for (const spec of ['20.16.0', '22', '>=20 <23', '20.x']) expect(nodeAliasRange(spec)).toBeNull();
  });

  it('refuses an unknown codename, naming the known ones', () => {
    expect(() => nodeAliasRange('lts/banana')).toThrow(/names no LTS line/);
    try {
      nodeAliasRange('lts/-40');
    } catch (error) {
      expect(error).toMatchObject({ code: 'NODE_PIN_UNSUPPORTED' });
      expect((error as { hint: string }).hint).toContain('iron, jod, krypton');
    }
    expect.assertions(3);
  });

  it('refuses a pin that is no version, range or alias before asking any source', async () => {
    const pin = { spec: 'system', source: '.nvmrc' };
    await expect(resolveNodeRuntime(pin, { source: 'npm', log: () => {} })).rejects.toMatchObject({
      code: 'NODE_PIN_UNSUPPORTED',
      message: '.nvmrc pins Node.js "system", which is not a version, range or alias.',
    });
  });
});
