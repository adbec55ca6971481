// Unit tests for validateLimits (src/validate.ts).
import { describe, expect, it } from 'vitest';
import { validateLimits, MIN_MEMORY } from '../src/validate.js';
import { CgroupError } from '../src/errors.js';

const host = { cpus: 4 };

describe('validateLimits', () => {
  it('accepts sensible limits and returns them', () => {
    const limits = { cpus: 1.5, cpuShares: 512, memory: 64 * 2 ** 20, memorySwap: 128 * 2 ** 20, pids: 100 };
    expect(validateLimits(limits, host)).toBe(limits);
    expect(validateLimits({ memory: -1, memorySwap: -1, pids: -1 }, host)).toBeTruthy();
    expect(validateLimits({ pids: 0, cpuWeight: 100, cpus: 4 }, host)).toBeTruthy();
  });
  it.each([
    [{ cpus: 0 }, /invalid cpus 0: must be at least 0.01/],
    [{ cpus: -1 }, /invalid cpus -1/],
    [{ cpus: 4.5 }, /invalid cpus 4.5: the host has 4 CPUs/],
    [{ cpus: Number.NaN }, /invalid cpus NaN/],
    [{ cpuShares: 1 }, /invalid cpuShares 1/],
    [{ cpuShares: 300_000 }, /invalid cpuShares/],
    [{ cpuWeight: 0 }, /invalid cpuWeight 0/],
    [{ cpuShares: 1024, cpuWeight: 100 }, /either cpuShares or cpuWeight/],
    [{ memory: MIN_MEMORY - 1 }, /invalid memory .*6 MiB/],
    [{ memory: 0 }, /invalid memory 0/],
    [{ memory: 7 * 2 ** 20 + 0.5 }, /invalid memory 7340032.5/],
    [{ memorySwap: 64 * 2 ** 20 }, /invalid memorySwap .*needs a memory limit/],
    [{ memory: 64 * 2 ** 20, memorySwap: 32 * 2 ** 20 }, /must be at least memory/],
    [{ pids: -2 }, /invalid pids -2/],
    [{ pids: 2.5 }, /invalid pids 2.5/],
  ])('rejects %o', (limits, message) => {
    expect(() => validateLimits(limits, host)).toThrow(message);
    expect(() => validateLimits(limits, host)).toThrow(CgroupError);
  });
  it('defaults the host to this machine', () => {
    expect(() => validateLimits({ cpus: 10_000 })).toThrow(/the host has \d+ CPUs/);
  });
});
