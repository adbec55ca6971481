// stats.test.mjs — medians, ratios and the /proc/stat busy fraction on hand-made figures.
import { describe, expect, it } from 'vitest';
import { busyFraction, ratio, summarize } from '../src/stats.mjs';

describe('summarize', () => {
  it('takes the middle sample of an odd count, whatever the input order', () => {
    expect(summarize([9, 1, 5])).toEqual({ n: 3, median: 5, min: 1, max: 9 });
  });
  it('averages the two middle samples of an even count', () => {
    expect(summarize([4, 1, 3, 100])).toEqual({ n: 4, median: 3.5, min: 1, max: 100 });
  });
  it('does not sort the caller’s array in place', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
  it('refuses an empty run', () => {
    expect(() => summarize([])).toThrow(/no samples/);
  });
});

describe('ratio', () => {
  it('divides the subject’s median by the other’s', () => {
    expect(ratio({ median: 30 }, { median: 10 })).toBe(3);
  });
  it('is undefined when a side is missing or the divisor is zero', () => {
    expect(ratio(undefined, { median: 1 })).toBeUndefined();
    expect(ratio({ median: 1 }, { median: 0 })).toBeUndefined();
  });
});

describe('busyFraction', () => {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const before = [100, 0, 50, 800, 50, 0, 0, 0, 0, 0];
  it('counts everything but idle and iowait as busy', () => {
    const after = [130, 0, 70, 840, 60, 0, 0, 0, 0, 0];
    expect(busyFraction(before, after)).toBeCloseTo(50 / 100);
  });
  it('does not count guest time twice (it is already part of user)', () => {
    const after = [150, 0, 50, 850, 50, 0, 0, 0, 20, 0];
    expect(busyFraction(before, after)).toBeCloseTo(50 / 100);
  });
  it('is 0 when no time passed', () => {
    expect(busyFraction(before, before)).toBe(0);
  });
});
