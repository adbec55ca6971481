// check.test.ts — the kernel facts `ctr check` reads without a syscall: the release as numbers (the feature
// gates compare it) and the build configuration as /proc/config.gz spells it.
import { describe, expect, it } from 'vitest';
import { atLeast, configEnabled, configNote, parseConfig, parseRelease, type KernelInfo } from '../../src/check/kernel.js';

describe('ctr check: kernel facts', () => {
  it('reads distribution releases as major.minor.patch', () => {
    expect(parseRelease('6.18.44-fc-v782')).toEqual([6, 18, 44]);
    expect(parseRelease('5.10.0-28-amd64')).toEqual([5, 10, 0]);
    expect(parseRelease('6.1-rc3')).toEqual([6, 1, 0]);
  });

  it('compares versions by major, then minor', () => {
    const k = (release: string): KernelInfo => ({ release, version: parseRelease(release) });
    expect(atLeast(k('5.12.0'), 5, 12)).toBe(true);
    expect(atLeast(k('5.11.22'), 5, 12)).toBe(false);
    expect(atLeast(k('6.0.1'), 5, 12)).toBe(true);
    expect(atLeast(k('4.19.300'), 5, 3)).toBe(false);
  });

  it('reads y, m, values and "is not set" from a kernel config', () => {
    const config = parseConfig('CONFIG_OVERLAY_FS=m\n# CONFIG_USER_NS is not set\nCONFIG_HZ=250\nCONFIG_SECCOMP_FILTER=y\n');
    const k: KernelInfo = { release: '6.1.0', version: [6, 1, 0], config };
    expect(configEnabled(k, 'CONFIG_OVERLAY_FS')).toBe(true);
    expect(configEnabled(k, 'CONFIG_USER_NS')).toBe(false);
    expect(configEnabled(k, 'CONFIG_BPF')).toBe(false);
    expect(configNote(k, 'CONFIG_HZ')).toBe('CONFIG_HZ=250');
    expect(configEnabled({ release: '6.1.0', version: [6, 1, 0] }, 'CONFIG_USER_NS')).toBeUndefined();
  });
});
