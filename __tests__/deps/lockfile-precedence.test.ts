// The diff reads the lockfile the install uses: with several in one folder and no `packageManager`, the same
// precedence as the package-manager detection (pnpm, yarn, bun, then npm).
import { describe, expect, it } from 'vitest';
import { lockfileCandidates, pickLockfile } from '../../src/deps/lockfile.js';

describe('pickLockfile', () => {
  const candidates = lockfileCandidates('.');
  it('reads pnpm-lock.yaml next to a package-lock.json when packageManager is unset', () => {
    const existing = new Set(['package-lock.json', 'pnpm-lock.yaml']);
    expect(pickLockfile(candidates, existing, null)).toBe('pnpm-lock.yaml');
  });
  it('follows packageManager when it names one', () => {
    const existing = new Set(['package-lock.json', 'pnpm-lock.yaml']);
    expect(pickLockfile(candidates, existing, 'npm@10.8.0')).toBe('package-lock.json');
  });
});
