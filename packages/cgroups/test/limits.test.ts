// Unit tests for the limit translations (src/limits.ts): docker-style values → cgroup v1/v2 file values.
import { describe, expect, it } from 'vitest';
import {
  cpuMaxValue, cpusToQuota, memoryV1Value, memoryV2Value, pidsLimitValue, sharesToWeight, swapV1ToV2,
  v1MemoryWriteOrder, weightToShares,
} from '../src/limits.js';

describe('cpusToQuota / cpuMaxValue', () => {
  it('turns CPUs into a quota per 100 ms period', () => {
    expect(cpusToQuota(1.5)).toEqual({ quota: 150_000, period: 100_000 });
    expect(cpusToQuota(0.5)).toEqual({ quota: 50_000, period: 100_000 });
    expect(cpusToQuota(2, 50_000)).toEqual({ quota: 100_000, period: 50_000 });
    expect(cpuMaxValue(0.25)).toBe('25000 100000');
  });
  it('never goes below the 1 ms quota the kernel accepts', () => {
    expect(cpusToQuota(0.001).quota).toBe(1000);
  });
  it('rejects zero, negative and non-finite CPUs', () => {
    for (const bad of [0, -1, Number.NaN, Infinity]) expect(() => cpusToQuota(bad)).toThrow(/cpus must be a positive number/);
  });
});

describe('sharesToWeight / weightToShares', () => {
  it('maps the fixed points of the runc/crun curve', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(100);
    expect(sharesToWeight(262_144)).toBe(10_000);
    expect(sharesToWeight(512)).toBe(59);
    expect(sharesToWeight(2048)).toBe(174);
  });
  it('clamps out-of-range shares to the weight range', () => {
    expect(sharesToWeight(1)).toBe(1);
    expect(sharesToWeight(1_000_000)).toBe(10_000);
  });
  it('inverts the curve', () => {
    expect(weightToShares(100)).toBe(1024);
    expect(weightToShares(1)).toBe(2);
    expect(weightToShares(10_000)).toBe(262_144);
    for (let weight = 1; weight <= 10_000; weight++) expect(sharesToWeight(weightToShares(weight))).toBe(weight);
  });
  it('is monotonic', () => {
    let last = 0;
    for (let shares = 2; shares <= 262_144; shares += 97) {
      const weight = sharesToWeight(shares);
      expect(weight).toBeGreaterThanOrEqual(last);
      last = weight;
    }
  });
  it('rejects fractions', () => {
    expect(() => sharesToWeight(1.5)).toThrow(/integer/);
    expect(() => weightToShares(1.5)).toThrow(/integer/);
  });
});

describe('memory values', () => {
  it('writes -1 on v1 and max on v2 for unlimited', () => {
    expect(memoryV1Value(-1)).toBe('-1');
    expect(memoryV2Value(-1)).toBe('max');
    expect(memoryV1Value(33_554_432)).toBe('33554432');
    expect(memoryV2Value(33_554_432)).toBe('33554432');
  });
});

describe('swapV1ToV2', () => {
  it('turns memory+swap into swap alone', () => {
    expect(swapV1ToV2(96 * 2 ** 20, 64 * 2 ** 20)).toBe(String(32 * 2 ** 20));
    expect(swapV1ToV2(64 * 2 ** 20, 64 * 2 ** 20)).toBe('0');
    expect(swapV1ToV2(-1, 64 * 2 ** 20)).toBe('max');
    expect(swapV1ToV2(-1, undefined)).toBe('max');
  });
  it('rejects a total below memory or without memory', () => {
    expect(() => swapV1ToV2(32, 64)).toThrow(/at least memory/);
    expect(() => swapV1ToV2(64, undefined)).toThrow(/needs a memory limit/);
  });
});

describe('v1MemoryWriteOrder', () => {
  it('writes memsw first when it grows past the current limit', () => {
    expect(v1MemoryWriteOrder(64, 128)).toEqual(['memsw', 'memory']);
    expect(v1MemoryWriteOrder(64, -1)).toEqual(['memsw', 'memory']);
  });
  it('writes the limit first when memsw shrinks or stays', () => {
    expect(v1MemoryWriteOrder(128, 64)).toEqual(['memory', 'memsw']);
    expect(v1MemoryWriteOrder(64, 64)).toEqual(['memory', 'memsw']);
    expect(v1MemoryWriteOrder(Infinity, 64)).toEqual(['memory', 'memsw']);
  });
});

describe('pidsLimitValue', () => {
  it('treats 0 and -1 as unlimited, like docker', () => {
    expect(pidsLimitValue(0)).toBe('max');
    expect(pidsLimitValue(-1)).toBe('max');
    expect(pidsLimitValue(5)).toBe('5');
  });
  it('rejects values below -1 and fractions', () => {
    expect(() => pidsLimitValue(-2)).toThrow(/pids must be an integer ≥ -1, got -2/);
    expect(() => pidsLimitValue(1.5)).toThrow(/pids/);
  });
});
