// seccomp-profile.test.ts — parsing Docker seccomp profiles without root: a Docker-shaped file (archMap,
// name/names, includes/excludes, comments, 32-bit-only names) parses and compiles; each kind of mistake is
// one SeccompError naming the file and the field; what Docker ignores silently becomes a warning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH_X86_64,
  compileProfile,
  defaultProfile,
  isSeccompError,
  loadProfile,
  parseProfile,
  SYSCALLS_X86_64,
} from '../lib/seccomp/index.js';
import { evaluate } from './seccomp-bpf.js';

const fixture = path.join(path.dirname(new URL(import.meta.url).pathname), 'seccomp-fixtures', 'docker-style.json');

/** The SeccompError PROFILE (JSON text) throws, as a plain object of the fields a user sees. */
function failure(profile: string, file?: string): { code: string; field?: string; path?: string; message: string } {
  try {
    parseProfile(profile, file);
  } catch (error) {
    if (!isSeccompError(error)) throw error;
    const { code, field, path: where, message } = error;
    return { code, message, ...(field === undefined ? {} : { field }), ...(where === undefined ? {} : { path: where }) };
  }
  throw new Error(`parsed: ${profile}`);
}

const withRule = (rule: object): string => JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [rule] });

describe('parseProfile', () => {
  it('reads a Docker-shaped profile and warns about names no table knows', () => {
    const { profile, warnings } = loadProfile(fixture);
    expect(profile.archMap?.[1]).toEqual({ architecture: 'SCMP_ARCH_RISCV64', subArchitectures: null });
    expect(profile.syscalls[4]).toMatchObject({ names: ['personality'], action: 'SCMP_ACT_ALLOW' });
    expect(profile.syscalls[3]).toMatchObject({ errnoRet: 38, comment: 'glibc falls back to clone' });
    expect(warnings).toEqual([
      `seccomp profile ${fixture}: syscalls[0].names[3]: unknown syscall "chown32" skipped`,
      `seccomp profile ${fixture}: syscalls[0].names[4]: unknown syscall "riscv_hwprobe" skipped`,
    ]);
    const filter = compileProfile(profile, { arch: 'x86_64', capabilities: [], kernelRelease: '6.1' });
    const call = (name: string, args: bigint[] = []): number =>
      evaluate(filter, { nr: SYSCALLS_X86_64[name] as number, arch: AUDIT_ARCH_X86_64, args });
    expect(call('read')).toBe(0x7fff0000);
    expect(call('ptrace')).toBe(0x7fff0000);
    expect(call('clone3')).toBe(0x50026);
    expect(call('clone', [0x10000000n])).toBe(0x50001);
    expect(call('personality', [0xffffffffn])).toBe(0x7fff0000);
  });

  it('round-trips the default profile without warnings', () => {
    expect(parseProfile(JSON.stringify(defaultProfile()))).toEqual({ profile: defaultProfile(), warnings: [] });
  });

  it('warns about unknown keys instead of silently dropping a condition', () => {
    const { profile, warnings } = parseProfile(withRule({ names: ['kill'], action: 'SCMP_ACT_ALLOW', arg: [] }));
    expect(profile.syscalls[0]?.args).toBeUndefined();
    expect(warnings).toEqual(['seccomp profile: syscalls[0].arg: unknown key ignored']);
  });

  it('names the file and the field of each mistake', () => {
    const file = '/etc/ctr/profile.json';
    expect(failure('{"defaultAction": ', file)).toMatchObject({ code: 'INVALID_JSON', path: file });
    expect(failure('[]', file)).toEqual({
      code: 'INVALID_PROFILE',
      field: '(root)',
      path: file,
      message: `seccomp profile ${file}: (root): expected an object, got []`,
    });
    expect(failure('{"syscalls": []}')).toMatchObject({
      field: 'defaultAction',
      message: 'seccomp profile: defaultAction: expected a string, got nothing',
    });
    expect(failure('{"defaultAction": "SCMP_ACT_DENY"}').message).toMatch(
      /^seccomp profile: defaultAction: unknown value "SCMP_ACT_DENY" \(expected one of SCMP_ACT_KILL, /,
    );
    const cases: [object, string, RegExp][] = [
      [{ action: 'SCMP_ACT_ALLOW' }, 'syscalls[0].names', /expected an array, got nothing/],
      [{ names: [], action: 'SCMP_ACT_ALLOW' }, 'syscalls[0].names', /no syscall names/],
      [{ name: 'kill', names: ['kill'], action: 'SCMP_ACT_ALLOW' }, 'syscalls[0]', /both 'name' and 'names'/],
      [{ names: ['kill', 7], action: 'SCMP_ACT_ALLOW' }, 'syscalls[0].names[1]', /expected a string, got 7/],
      [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 5000 }, 'syscalls[0].errnoRet', /not an errno/],
      [{ names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }, 'syscalls[0].args[0].index', /out of range \(0\.\.5\)/],
      [{ names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_IN' }] }, 'syscalls[0].args[0].op', /unknown value "SCMP_CMP_IN"/],
      [{ names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }, 'syscalls[0].args[0].value', /non-negative integer, got -1/],
      [{ names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2 ** 60, op: 'SCMP_CMP_EQ' }] }, 'syscalls[0].args[0].value', /above 2\^53/],
      [{ names: ['kill'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4' } }, 'syscalls[0].includes.minKernel', /not a kernel version/],
      [{ names: ['kill'], action: 'SCMP_ACT_ALLOW', excludes: { caps: 'CAP_KILL' } }, 'syscalls[0].excludes.caps', /expected an array/],
    ];
    for (const [rule, field, message] of cases) {
      const error = failure(withRule(rule));
      expect(error).toMatchObject({ code: 'INVALID_PROFILE', field });
      expect(error.message).toMatch(message);
      expect(error.message.startsWith(`seccomp profile: ${field}: `)).toBe(true);
    }
  });

  it('refuses both architectures and archMap, and SCMP_ACT_NOTIFY', () => {
    const both = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: [], archMap: [], syscalls: [] });
    expect(failure(both)).toMatchObject({ code: 'INVALID_PROFILE', field: 'architectures' });
    expect(failure(withRule({ names: ['kill'], action: 'SCMP_ACT_NOTIFY' }))).toMatchObject({
      code: 'UNSUPPORTED',
      field: 'syscalls[0].action',
    });
  });
});

describe('loadProfile', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ctr-seccomp-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the errno of an unreadable file', () => {
    const missing = path.join(dir, 'absent.json');
    expect(() => loadProfile(missing)).toThrow(
      expect.objectContaining({ code: 'ENOENT', errno: -2, syscall: 'open', path: missing }),
    );
  });

  it('puts the file path into parse errors', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'] }] }));
    expect(() => loadProfile(file)).toThrow(
      expect.objectContaining({ code: 'INVALID_PROFILE', path: file, field: 'syscalls[0].action' }),
    );
  });
});
