import { describe, expect, it } from 'vitest';
import { chooseShown, type MemberExplanation } from '../../src/explain/heap/representative.js';

const member = (owner: string | undefined, file: string): MemberExplanation => ({
  sourceFile: file,
  packages: owner === undefined ? [] : [owner],
  bumpedPackages: owner === 'contentful-sdk-core' ? [owner] : [],
});

describe('chooseShown', () => {
  it('shows a member of the package most of the group is held by, not the typical one of a minority', () => {
    const typical = member('axios', 'typical.js');
    const spread = [
      member('axios', 'a.js'),
      member('contentful-sdk-core', 'c1.js'),
      member('contentful-sdk-core', 'c2.js'),
      member('contentful-sdk-core', 'c3.js'),
    ];
    expect(chooseShown(typical, spread)).toBe(spread[1]);
  });

  it('keeps the typical member when its package has as many votes as any other', () => {
    const typical = member('axios', 'typical.js');
    const spread = [member('axios', 'a.js'), member('contentful-sdk-core', 'c.js')];
    expect(chooseShown(typical, spread)).toBe(typical);
  });

  it('keeps the typical member when no member names a package (the app’s own objects)', () => {
    const typical = member(undefined, 'server.js');
    expect(chooseShown(typical, [member(undefined, 'a.js'), member(undefined, 'b.js')])).toBe(typical);
  });

  it('moves off an unowned typical member when most of the group names a package', () => {
    const typical = member(undefined, 'server.js');
    const spread = [member(undefined, 'a.js'), member('axios', 'b.js'), member('axios', 'c.js')];
    expect(chooseShown(typical, spread)).toBe(spread[1]);
  });

  it('keeps an unowned typical member when most of the group is unowned too', () => {
    const typical = member(undefined, 'server.js');
    const spread = [member(undefined, 'a.js'), member(undefined, 'b.js'), member('axios', 'c.js')];
    expect(chooseShown(typical, spread)).toBe(typical);
  });
});
