// devices.test.ts — device rules without root: validation, the cgroup v1 writes (exact text and order), the
// exact layout of the cgroup v2 eBPF program, and its decisions run by the interpreter in ebpf-interpreter.ts:
// a hand-written table for the default list, then every tuple of a grid against deviceAllowed (the v1
// kernel's rule) for several lists.
import { describe, expect, it } from 'vitest';
import {
  ALLOW_ALL, compileDeviceFilter, DEFAULT_DEVICE_RULES, DENY_ALL, deviceAllowed, v1DeviceWrites, validateDeviceRules,
  validateLimits, type DeviceRule,
} from '../src/index.js';
import { decodeEbpf } from '../src/v2/ebpf.js';
import { runDeviceProgram, type DevCtx } from './ebpf-interpreter.js';

const rule = (allow: boolean, type: DeviceRule['type'], major: number | '*', minor: number | '*', access: string): DeviceRule => ({
  allow, type, major, minor, access,
});
const withFuse = [...DEFAULT_DEVICE_RULES, rule(true, 'c', 10, 229, 'rwm')];
const allowExcept = [ALLOW_ALL, rule(false, 'c', 10, 232, 'rw'), rule(false, 'b', '*', '*', 'w'), rule(false, 'a', 1, 1, 'rwm')];

describe('validateDeviceRules', () => {
  it('accepts the default, privileged and exception lists', () => {
    for (const rules of [DEFAULT_DEVICE_RULES, [ALLOW_ALL], [DENY_ALL], withFuse, allowExcept]) expect(() => validateDeviceRules(rules)).not.toThrow();
    expect(() => validateLimits({ devices: DEFAULT_DEVICE_RULES })).not.toThrow();
  });

  it.each([
    [[], /must start with the default/],
    [[rule(true, 'c', 1, 3, 'rwm')], /must start with the default, a \*:\* rwm/],
    [[rule(false, 'a', '*', '*', 'rw')], /must start with the default/],
    [[DENY_ALL, rule(false, 'c', 1, 3, 'r')], /devices\[1\]: an exception must allow what the default denies/],
    [[ALLOW_ALL, rule(true, 'c', 1, 3, 'r')], /devices\[1\]: an exception must deny/],
    [[DENY_ALL, rule(true, 'c', 1, 3, 'wr')], /access must be a non-empty subset of 'rwm', in that order/],
    [[DENY_ALL, rule(true, 'c', 1, 3, '')], /access must be/],
    [[DENY_ALL, rule(true, 'c', 4096, 3, 'r')], /major must be '\*' or 0-4095/],
    [[DENY_ALL, rule(true, 'c', 1, 0x100000, 'r')], /minor must be '\*' or 0-1048575/],
    [[DENY_ALL, rule(true, 'c', -1, 3, 'r')], /major must be/],
    [[{ ...DENY_ALL, minor: 0 }, rule(true, 'c', 1, 3, 'r')], /must start with the default/],
    [[DENY_ALL, { ...rule(true, 'c', 1, 3, 'r'), type: 'x' as 'c' }], /type must be 'a', 'b' or 'c'/],
  ])('refuses %j', (rules, message) => {
    expect(() => validateDeviceRules(rules as DeviceRule[])).toThrow(message);
    expect(() => validateLimits({ devices: rules as DeviceRule[] })).toThrow(expect.objectContaining({ code: 'INVALID_LIMIT' }));
  });
});

describe('cgroup v1 writes', () => {
  it('deny all first, then one devices.allow line per exception, in order', () => {
    expect(v1DeviceWrites(DEFAULT_DEVICE_RULES)).toEqual([
      ['devices.deny', 'a'],
      ...['1:3', '1:5', '1:7', '1:8', '1:9', '5:0', '5:1', '5:2', '136:*'].map((n) => ['devices.allow', `c ${n} rwm`]),
      ['devices.allow', 'c *:* m'],
      ['devices.allow', 'b *:* m'],
    ]);
  });

  it('privileged is one `a` in devices.allow; deny exceptions go to devices.deny, type a as c and b', () => {
    expect(v1DeviceWrites([ALLOW_ALL])).toEqual([['devices.allow', 'a']]);
    expect(v1DeviceWrites(allowExcept)).toEqual([
      ['devices.allow', 'a'],
      ['devices.deny', 'c 10:232 rw'],
      ['devices.deny', 'b *:* w'],
      ['devices.deny', 'c 1:1 rwm'],
      ['devices.deny', 'b 1:1 rwm'],
    ]);
  });
});

const insn = (code: number, dst: number, src: number, off: number, imm: number) => ({ code, dst, src, off, imm });
// r2 = access_type; r3 = r2; w3 &= 0xffff; w2 >>= 16; r4 = major; r5 = minor
const PROLOGUE = [
  insn(0x61, 2, 1, 0, 0), insn(0xbf, 3, 2, 0, 0), insn(0x54, 3, 0, 0, 0xffff), insn(0x74, 2, 0, 0, 16),
  insn(0x61, 4, 1, 4, 0), insn(0x61, 5, 1, 8, 0),
];
const RET = (v: number) => [insn(0xb7, 0, 0, 0, v), insn(0x95, 0, 0, 0, 0)];

describe('cgroup v2 program layout', () => {
  it('allow exception: type, access, major, minor checks jump to the next rule; a match returns 1', () => {
    const program = decodeEbpf(compileDeviceFilter([DENY_ALL, rule(true, 'c', 1, 3, 'rw'), rule(true, 'b', '*', '*', 'm')]));
    expect(program).toEqual([
      ...PROLOGUE,
      insn(0x55, 3, 0, 5, 2), // type != char → next rule (5 ahead)
      insn(0x45, 2, 0, 4, 1), // requested & mknod (not in rw) → next
      insn(0x55, 4, 0, 3, 1), // major != 1 → next
      insn(0x55, 5, 0, 2, 3), // minor != 3 → next
      ...RET(1),
      insn(0x55, 3, 0, 3, 1), // type != block → default
      insn(0x45, 2, 0, 2, 6), // requested & (r|w) → default
      ...RET(1),
      ...RET(0),
    ]);
  });

  it('privileged is the prologue and return 1; a deny exception tests for any shared access bit', () => {
    expect(decodeEbpf(compileDeviceFilter([ALLOW_ALL]))).toEqual([...PROLOGUE, ...RET(1)]);
    expect(decodeEbpf(compileDeviceFilter([ALLOW_ALL, rule(false, 'a', '*', '*', 'w')]))).toEqual([
      ...PROLOGUE,
      insn(0xbf, 6, 2, 0, 0),
      insn(0x54, 6, 0, 0, 4),
      insn(0x15, 6, 0, 2, 0), // no bit in common → default
      ...RET(0),
      ...RET(1),
    ]);
  });

  it('the default list is 60 instructions: no access test for rwm, no minor test for 136:*', () => {
    // prologue, 8 × (type, major, minor, return), 136:* (type, major, return), 2 × (type, access, return), default
    expect(compileDeviceFilter(DEFAULT_DEVICE_RULES).length / 8).toBe(6 + 8 * 5 + 4 + 2 * 4 + 2);
  });
});

describe('cgroup v2 program decisions', () => {
  const allowed = (rules: readonly DeviceRule[], ctx: DevCtx) => runDeviceProgram(compileDeviceFilter(rules), ctx) === 1;
  const c = (major: number, minor: number, access: string): DevCtx => ({ type: 'c', major, minor, access });
  const b = (major: number, minor: number, access: string): DevCtx => ({ type: 'b', major, minor, access });

  it.each([
    [c(1, 3, 'rw'), true], [c(1, 5, 'r'), true], [c(1, 7, 'w'), true], [c(1, 8, 'r'), true], [c(1, 9, 'rw'), true],
    [c(5, 0, 'rw'), true], [c(5, 1, 'rw'), true], [c(5, 2, 'rw'), true], [c(136, 0, 'rw'), true], [c(136, 4242, 'rwm'), true],
    [c(1, 3, 'm'), true], [c(10, 232, 'm'), true], [b(8, 0, 'm'), true], [b(259, 0, 'm'), true],
    [c(10, 232, 'r'), false], [c(10, 232, 'rw'), false], [c(4, 1, 'w'), false], [c(1, 1, 'r'), false], [c(1, 2, 'rw'), false],
    [c(1, 4, 'r'), false], [c(1, 11, 'w'), false], [c(10, 229, 'rw'), false], [c(137, 0, 'r'), false], [c(5, 3, 'r'), false],
    [b(8, 0, 'r'), false], [b(8, 0, 'w'), false], [b(1, 3, 'r'), false], [b(136, 1, 'rw'), false], [c(10, 232, 'rm'), false],
  ])('default rules: %j → %s', (ctx, expected) => {
    expect(allowed(DEFAULT_DEVICE_RULES, ctx)).toBe(expected);
  });

  it('decides every tuple of a grid exactly as the v1 kernel rule, for five lists', () => {
    const accesses = ['r', 'w', 'm', 'rw', 'rm', 'wm', 'rwm'];
    const numbers = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 136, 229, 232, 4095];
    const lists = [DEFAULT_DEVICE_RULES, withFuse, allowExcept, [ALLOW_ALL], [DENY_ALL]];
    let checked = 0;
    for (const rules of lists) {
      const program = compileDeviceFilter(rules);
      for (const type of ['b', 'c'] as const) {
        for (const major of numbers) {
          for (const minor of [...numbers, 0xfffff]) {
            for (const access of accesses) {
              const got = runDeviceProgram(program, { type, major, minor, access }) === 1;
              if (got !== deviceAllowed(rules, type, major, minor, access)) {
                throw new Error(`${type} ${major}:${minor} ${access} under ${JSON.stringify(rules)}: program says ${got}`);
              }
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(5 * 2 * 14 * 15 * 7);
  });

  it('--device /dev/fuse opens c 10:229 and nothing else; a deny exception stops only the bits it names', () => {
    expect(allowed(withFuse, c(10, 229, 'rw'))).toBe(true);
    expect(allowed(withFuse, c(10, 228, 'rw'))).toBe(false);
    expect(allowed(allowExcept, c(10, 232, 'm'))).toBe(true);
    expect(allowed(allowExcept, c(10, 232, 'rm'))).toBe(false);
    expect(allowed(allowExcept, b(8, 0, 'r'))).toBe(true);
    expect(allowed(allowExcept, b(8, 0, 'rw'))).toBe(false);
    expect(allowed(allowExcept, b(1, 1, 'm'))).toBe(false);
  });
});
