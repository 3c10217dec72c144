// What a candidate's comparison means for bisection: does it carry head's leak?
import { describe, expect, it } from 'vitest';
import { candidateVerdict } from '../../src/bisect/measure-candidate.js';
import type { Comparison } from '../../src/model/report.js';

const slopes = {
  baseSlopeBytesPerRequest: 0,
  headSlopeBytesPerRequest: 57,
  deltaBytesPerRequest: 57,
  deltaUncertainty: 120,
  thresholdBytesPerRequest: 8,
};

function wide(detectableBytesPerRequest: number): Comparison {
  return {
    verdict: 'inconclusive',
    finding: { rule: 'detection-limit', detectableBytesPerRequest, ...slopes },
    deltaBytesPerRequest: 57,
    deltaUncertainty: 120,
  };
}

describe('candidate verdicts', () => {
  it('calls a wide interval clean when it rules out half of head’s leak, and inconclusive when not', () => {
    // The grouped-bump test's ajv candidate: +57 B/request, could see ~180 B, head leaks ~4.3 KiB/request.
    expect(candidateVerdict(wide(180), 4300)).toBe('clean');
    expect(candidateVerdict(wide(3000), 4300)).toBe('inconclusive');
  });

  it('keeps regressions and errors, and reads every other verdict as clean', () => {
    const { finding } = wide(0);
    const of = (verdict: Comparison['verdict']) =>
      candidateVerdict({ verdict, finding, deltaBytesPerRequest: 0, deltaUncertainty: 0 }, 4300);
    expect(of('regression')).toBe('regression');
    expect(of('error')).toBe('error');
    expect(of('unchanged')).toBe('clean');
    expect(of('pre-existing')).toBe('clean');
  });
});
