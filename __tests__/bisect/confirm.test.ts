// When the culprit alone counts as reproducing the full head (pure: no measurement).
import { describe, expect, it } from 'vitest';
import { reproducesHeadSlope } from '../../src/bisect/bisect.js';

const head = { slope: 4738, low: 4628, high: 4848 };
const alone = (slope: number, halfWidth = 110) => ({
  slopeBytesPerRequest: slope,
  slopeInterval: { low: slope - halfWidth, high: slope + halfWidth },
});

describe('reproducesHeadSlope', () => {
  it('accepts a second run of the same leak that lands 5 % away, outside the head interval alone', () => {
    // Measured in CI: head 4738 [4628, 4848] B/req, contentful-sdk-core alone 4965.
    expect(reproducesHeadSlope(alone(4965), head)).toBe(true);
  });

  it('rejects a culprit that explains only part of the head slope', () => {
    expect(reproducesHeadSlope(alone(0.7 * head.slope), head)).toBe(false);
    expect(reproducesHeadSlope(alone(1.4 * head.slope), head)).toBe(false);
  });

  it('widens with the candidate interval, and needs a measured one', () => {
    expect(reproducesHeadSlope(alone(0.7 * head.slope, 1000), head)).toBe(true);
    expect(reproducesHeadSlope({ slopeBytesPerRequest: 4738, slopeInterval: null }, head)).toBe(false);
    expect(reproducesHeadSlope(alone(4738), null)).toBe(false);
  });
});
