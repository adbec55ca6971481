// security-options.test.ts — pure checks, no root: the capability table against the kernel headers and the
// running kernel, and the validation of `security` (it must throw before anything is cloned).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  capabilityNames,
  lastCap,
  spawnContainer,
  type SecurityOptions,
} from '../lib/index.js';
import { validationBase } from './helpers.js';

const HEADER = '/usr/include/linux/capability.h';

describe('capabilityNames', () => {
  it.skipIf(!existsSync(HEADER))('matches linux/capability.h', () => {
    const defined = Object.fromEntries(
      [...readFileSync(HEADER, 'utf8').matchAll(/^#define (CAP_[A-Z_]+)\s+(\d+)\s*$/gm)].map(([, name, n]) => [
        name,
        Number(n),
      ]),
    );
    expect(capabilityNames).toEqual(defined);
  });

  it('names every capability the running kernel has', () => {
    const numbers = new Set(Object.values(capabilityNames));
    expect(lastCap()).toBeGreaterThanOrEqual(36);
    for (let cap = 0; cap <= lastCap(); cap++) expect(numbers.has(cap)).toBe(true);
  });
});

describe('security option validation', () => {
  const base = validationBase;
  const security: SecurityOptions = {
    capabilities: [],
    noNewPrivileges: true,
    maskedPaths: [],
    readonlyPaths: [],
    readonlyRootfs: false,
  };
  const rejects = (override: Partial<SecurityOptions> | Record<string, unknown>, message: RegExp) =>
    expect(() => spawnContainer({ ...base, security: { ...security, ...override } as SecurityOptions })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(message) }),
    );

  it('rejects capability numbers the kernel does not know', () => {
    rejects({ capabilities: [lastCap() + 1] }, /capabilities\[0\] must be an integer 0-\d+/);
    rejects({ capabilities: [-1] }, /capabilities\[0\]/);
    rejects({ capabilities: [1.5] }, /capabilities\[0\]/);
  });

  it('rejects capability sets the kernel would refuse, naming the set and the capability', () => {
    const sets = { bounding: [1, 2, 5], permitted: [1, 2], effective: [1], inheritable: [1, 2], ambient: [1] };
    rejects({ capabilities: { ...sets, effective: [5] } }, /capabilities\.effective holds 5, not in permitted/);
    rejects({ capabilities: { ...sets, inheritable: [1, 7] } }, /capabilities\.inheritable holds 7, not in bounding/);
    rejects({ capabilities: { ...sets, ambient: [5] } }, /capabilities\.ambient holds 5, not in both permitted and inheritable/);
    rejects({ capabilities: { ...sets, ambient: undefined } }, /capabilities\.ambient must be an array of capability numbers/);
    rejects({ capabilities: { ...sets, permitted: [1, lastCap() + 1] } }, /capabilities\.permitted\[1\] must be an integer 0-\d+/);
  });

  it('rejects a seccomp program that is not whole 8-byte instructions', () => {
    rejects({ seccomp: Buffer.alloc(12) }, /seccomp must hold 1-4096 8-byte instructions, got 12 bytes/);
    rejects({ seccomp: Buffer.alloc(0) }, /seccomp must hold/);
    rejects({ seccomp: Buffer.alloc(8 * 4097) }, /seccomp must hold/);
  });

  it('rejects relative, unnormalized and root paths', () => {
    rejects({ maskedPaths: ['proc/kcore'] }, /maskedPaths\[0\] must be an absolute path/);
    rejects({ readonlyPaths: ['/proc/../etc'] }, /readonlyPaths\[0\] must be a normalized absolute path/);
    rejects({ readonlyPaths: ['/proc/sys/'] }, /readonlyPaths\[0\]/);
    rejects({ maskedPaths: ['/'] }, /maskedPaths\[0\]/);
  });

  it('rejects booleans given as anything else', () => {
    rejects({ noNewPrivileges: 'true' }, /noNewPrivileges must be a boolean/);
    rejects({ readonlyRootfs: 1 }, /readonlyRootfs must be a boolean/);
  });

  it('rejects id mappings that are empty or run past the last id', () => {
    rejects({ userns: { hostUid: 0, hostGid: 0, size: 0 } }, /userns.size must be an integer 1-/);
    rejects({ userns: { hostUid: 2 ** 32 - 10, hostGid: 0, size: 65536 } }, /userns maps past the last id/);
    rejects({ userns: { hostUid: -1, hostGid: 0, size: 1 } }, /userns.hostUid/);
  });
});
