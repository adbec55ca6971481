// throughput.test.mjs — which iperf3 intervals count: those starting after the warmup second, in Gbit/s.
import { describe, expect, it } from 'vitest';
import { intervalsGbps } from '../src/measures/throughput.mjs';

const interval = (start, bps) => ({ sum: { start, end: start + 0.25, bits_per_second: bps } });

describe('intervalsGbps', () => {
  it('drops the warmup second and converts to Gbit/s', () => {
    const report = { intervals: [interval(0, 1e9), interval(0.75, 2e9), interval(1.000123, 3e9), interval(1.25, 4e9)] };
    expect(intervalsGbps(report)).toEqual([3, 4]);
  });
  it('is empty for a report without intervals (a failed client run)', () => {
    expect(intervalsGbps({ intervals: [] })).toEqual([]);
  });
});
