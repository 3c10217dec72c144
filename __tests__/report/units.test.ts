import { describe, expect, it } from 'vitest';
import {
  byteUnitFor,
  formatBytes,
  formatInterval,
  formatIntervalText,
  formatRoughHours,
} from '../../src/model/units.js';
import { costAtTraffic, renderCostLine } from '../../src/report/cost.js';

describe('formatBytes', () => {
  it('uses binary units labelled KiB/MiB', () => {
    expect(formatBytes(3.6 * 1024)).toBe('+3.6 KiB');
    expect(formatBytes(12_083)).toBe('+11.8 KiB');
    expect(formatBytes(-512)).toBe('-512 B');
    expect(formatBytes(0.04)).toBe('0 B');
    expect(formatBytes(3.5 * 1024 * 1024, { signed: false })).toBe('3.5 MiB');
    expect(formatBytes(Number.NaN)).toBe('n/a');
  });

  it('never labels a rounded value with a unit it does not reach', () => {
    // 1,000 B would round to "1.0 KiB" in one decimal of KiB only if the unit switched at 1,024.
    expect(byteUnitFor(999)).toBe('B');
    expect(formatBytes(1000)).toBe('+0.98 KiB');
    expect(formatBytes(102, { unit: 'KiB' })).toBe('+0.10 KiB');
    expect(formatBytes(18, { unit: 'KiB' })).toBe('+0.02 KiB');
  });
});

describe('formatInterval', () => {
  it('puts a value and its half-width in one unit, the larger one’s', () => {
    expect(formatInterval(3686, 307)).toEqual({ value: '+3.6 KiB', halfWidth: '±0.30', unit: 'KiB' });
    expect(formatIntervalText(-110, 202)).toBe('-110 B ±202');
    // A half-width larger than the value chooses the unit, so one cell never mixes B and KiB.
    expect(formatIntervalText(-110, 2048)).toBe('-0.11 KiB ±2.0');
    expect(formatInterval(18, null)).toEqual({ value: '+18 B', halfWidth: null, unit: 'B' });
    // A half-width too small for the unit is not shown as zero certainty.
    expect(formatIntervalText(3686, 4)).toBe('+3.6 KiB ±<0.01');
  });
});

describe('cost at production traffic', () => {
  it('prices 3.6 KiB/request per 1 req/s: MiB per hour and hours until the heap cap', () => {
    const cost = costAtTraffic({
      bytesPerRequest: 3.6 * 1024,
      productionRps: null,
      heapCapMb: 256,
      heapInUseBytes: 0,
    });
    expect(cost.bytesPerHour / 2 ** 20).toBeCloseTo(12.66, 2);
    expect(renderCostLine(cost)).toBe('≈ 12.7 MiB/hour at 1 req/s; a 256 MiB heap fills in ~20 h');
    expect(cost.isPerOneRequestPerSecond).toBe(true);
  });

  it('scales with production-rps and counts only the headroom left above the heap in use', () => {
    const cost = costAtTraffic({
      bytesPerRequest: 3.6 * 1024,
      productionRps: 50,
      heapCapMb: 256,
      heapInUseBytes: 56 * 2 ** 20,
    });
    // 50 req/s × 3.6 KiB × 3600 s = 633 MiB/hour; 200 MiB of headroom lasts ~19 minutes.
    expect(renderCostLine(cost)).toBe('≈ 633 MiB/hour at 50 req/s; a 256 MiB heap fills in ~19 min');
    expect(renderCostLine({ ...cost, hoursToFill: 100 })).toContain('fills in ~4 days');
  });

  it('has no fill time when nothing grows', () => {
    const cost = costAtTraffic({ bytesPerRequest: 0, productionRps: 10, heapCapMb: 256, heapInUseBytes: 0 });
    expect(cost.hoursToFill).toBeNull();
    expect(formatRoughHours(Number.POSITIVE_INFINITY)).toBe('never');
  });
});
