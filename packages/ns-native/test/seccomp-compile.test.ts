// seccomp-compile.test.ts — the profile → BPF compiler without root: the exact instructions where the layout
// matters (arch check, one allow rule, a 64-bit argument comparison, the default errno), 64-bit comparison
// semantics against a BigInt reference for edge values, long jumps, rule selection by caps/arch/kernel, and
// what the default profile lets through. Filters are run by the interpreter in seccomp-bpf.ts.
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH_AARCH64,
  AUDIT_ARCH_X86_64,
  BPF_MAXINSNS,
  compileProfile,
  decodeFilter,
  defaultProfile,
  SYSCALLS_AARCH64,
  SYSCALLS_X86_64,
  type SeccompOperator,
  type SeccompProfile,
} from '../lib/seccomp/index.js';
import { evaluate } from './seccomp-bpf.js';

const ALLOW = 0x7fff0000;
const ERRNO = (n: number): number => 0x00050000 | n;
const EPERM = ERRNO(1);
const ENOSYS = ERRNO(38);
const KILL_PROCESS = 0x80000000;
const AUDIT_ARCH_I386 = 0x40000003;
const CAP_SYS_ADMIN = 21;
// Docker's default capability set (anchors §1.5): no CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_MODULE …
const DOCKER_CAPS = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31];

const nr = (name: string): number => {
  const number = SYSCALLS_X86_64[name];
  if (number === undefined) throw new Error(`no syscall ${name}`);
  return number;
};
const x86 = (name: string, args: bigint[] = []): { nr: number; arch: number; args: bigint[] } => ({
  nr: nr(name),
  arch: AUDIT_ARCH_X86_64,
  args,
});
const compile = (profile: SeccompProfile, capabilities: number[] = []): Buffer =>
  compileProfile(profile, { arch: 'x86_64', capabilities, kernelRelease: '6.1.0' });
const only = (rule: SeccompProfile['syscalls'][number]): SeccompProfile => ({
  defaultAction: 'SCMP_ACT_ERRNO',
  syscalls: [rule],
});

const insn = (code: number, jt: number, jf: number, k: number): { code: number; jt: number; jf: number; k: number } => ({
  code,
  jt,
  jf,
  k,
});
const LD = (k: number) => insn(0x20, 0, 0, k);
const RET = (k: number) => insn(0x06, 0, 0, k);
const JEQ = (k: number, jt: number, jf: number) => insn(0x15, jt, jf, k);
const JGE = (k: number, jt: number, jf: number) => insn(0x35, jt, jf, k);

// ld arch; jeq x86_64 ? next : kill; ld nr; jge x32 bit ? next : tree; jeq -1 ? tree : kill; kill
const X86_PROLOGUE = [
  LD(4),
  JEQ(AUDIT_ARCH_X86_64, 0, 3),
  LD(0),
  JGE(0x40000000, 0, 2),
  JEQ(0xffffffff, 1, 0),
  RET(KILL_PROCESS),
];

describe('compileProfile instruction layout', () => {
  it('checks the architecture and x32 first, then searches the syscall number for one allow rule', () => {
    const program = decodeFilter(compile(only({ names: ['getpid'], action: 'SCMP_ACT_ALLOW' })));
    expect(program).toEqual([
      ...X86_PROLOGUE,
      JGE(39, 1, 0), // getpid is 39: below it is the default
      RET(EPERM),
      JGE(40, 1, 0),
      RET(ALLOW),
      RET(EPERM),
    ]);
  });

  it('has no x32 check on aarch64', () => {
    const filter = compileProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] }, { arch: 'aarch64', capabilities: [] });
    expect(decodeFilter(filter)).toEqual([LD(4), JEQ(AUDIT_ARCH_AARCH64, 1, 0), RET(KILL_PROCESS), LD(0), RET(ALLOW)]);
  });

  it('returns defaultErrnoRet for everything when no rule applies', () => {
    const filter = compile({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 13, syscalls: [] });
    expect(decodeFilter(filter)).toEqual([...X86_PROLOGUE, RET(ERRNO(13))]);
  });

  it('compares the high word, then the low word of a 64-bit argument', () => {
    const value = 0x1_0000_0002;
    const filter = compile(
      only({ names: ['getpid'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value, op: 'SCMP_CMP_EQ' }] }),
    );
    const program = decodeFilter(filter);
    // The leaf for getpid: args[1] is at offset 24 (low word) and 28 (high word) of seccomp_data.
    const at = program.findIndex((i) => i.code === 0x20 && i.k === 28);
    expect(program.slice(at, at + 6)).toEqual([
      LD(28),
      JEQ(1, 0, 3), // high word 1, else the default return
      LD(24),
      JEQ(2, 0, 1), // low word 2: the allow return, else the default return after it
      RET(ALLOW),
      RET(EPERM),
    ]);
    expect(evaluate(filter, x86('getpid', [0n, BigInt(value)]))).toBe(ALLOW);
    expect(evaluate(filter, x86('getpid', [0n, 2n]))).toBe(EPERM);
  });
});

describe('64-bit argument comparisons match their definition', () => {
  const edges = [0n, 1n, 2n, 0x7fffffffn, 0xffffffffn, 0x1_0000_0000n, 0x1_0000_0001n, 0x1f_ffff_ffff_ffffn];
  const args = [...edges, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x1_0000_0002n, 0xffff_fffe_0000_0003n];
  const reference: Record<SeccompOperator, (arg: bigint, value: bigint, two: bigint) => boolean> = {
    SCMP_CMP_EQ: (a, v) => a === v,
    SCMP_CMP_NE: (a, v) => a !== v,
    SCMP_CMP_LT: (a, v) => a < v,
    SCMP_CMP_LE: (a, v) => a <= v,
    SCMP_CMP_GT: (a, v) => a > v,
    SCMP_CMP_GE: (a, v) => a >= v,
    SCMP_CMP_MASKED_EQ: (a, mask, two) => (a & mask) === two,
  };

  it.each(Object.keys(reference) as SeccompOperator[])('%s', (op) => {
    for (const value of edges)
      for (const valueTwo of op === 'SCMP_CMP_MASKED_EQ' ? [0n, 1n, 0x1_0000_0000n] : [0n]) {
        const filter = compile(
          only({
            names: ['getpid'],
            action: 'SCMP_ACT_ALLOW',
            args: [{ index: 3, value: Number(value), valueTwo: Number(valueTwo), op }],
          }),
        );
        for (const arg of args) {
          const expected = reference[op](arg, value, valueTwo) ? ALLOW : EPERM;
          const got = evaluate(filter, x86('getpid', [0n, 0n, 0n, arg]));
          if (got !== expected) throw new Error(`${op} value ${value} valueTwo ${valueTwo} arg ${arg}: got ${got}`);
        }
      }
  });

  it('ANDs the comparisons of one rule and ORs the rules of one syscall', () => {
    const filter = compile({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        {
          names: ['kill'],
          action: 'SCMP_ACT_ALLOW',
          args: [
            { index: 0, value: 10, op: 'SCMP_CMP_EQ' },
            { index: 1, value: 0, op: 'SCMP_CMP_EQ' },
          ],
        },
        { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 3, args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }] },
      ],
    });
    expect(evaluate(filter, x86('kill', [10n, 0n]))).toBe(ALLOW);
    expect(evaluate(filter, x86('kill', [10n, 15n]))).toBe(EPERM);
    expect(evaluate(filter, x86('kill', [11n, 0n]))).toBe(EPERM);
    expect(evaluate(filter, x86('kill', [11n, 9n]))).toBe(ERRNO(3));
  });

  it('splits a rule that tests one argument twice into alternatives, as runc does', () => {
    const filter = compile(
      only({
        names: ['kill'],
        action: 'SCMP_ACT_ALLOW',
        args: [
          { index: 0, value: 1, op: 'SCMP_CMP_EQ' },
          { index: 0, value: 2, op: 'SCMP_CMP_EQ' },
        ],
      }),
    );
    expect([1n, 2n, 3n].map((pid) => evaluate(filter, x86('kill', [pid])))).toEqual([ALLOW, ALLOW, EPERM]);
  });

  it('lets a rule without conditions cover the whole syscall', () => {
    const filter = compile({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        { names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
        { names: ['kill'], action: 'SCMP_ACT_LOG' },
      ],
    });
    expect(evaluate(filter, x86('kill', [1n]))).toBe(0x7ffc0000);
    expect(evaluate(filter, x86('kill', [2n]))).toBe(0x7ffc0000);
  });
});

describe('compileProfile program structure', () => {
  it('kills foreign architectures and x32 numbers, and gives nr -1 the default action', () => {
    const filter = compile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] });
    expect(evaluate(filter, { nr: 1, arch: AUDIT_ARCH_I386 })).toBe(KILL_PROCESS);
    expect(evaluate(filter, { nr: 0x40000000 + nr('getpid'), arch: AUDIT_ARCH_X86_64 })).toBe(KILL_PROCESS);
    expect(evaluate(filter, { nr: -1, arch: AUDIT_ARCH_X86_64 })).toBe(ALLOW);
  });

  it('maps every action to its SECCOMP_RET value', () => {
    const cases: [SeccompProfile['defaultAction'], number | undefined, number][] = [
      ['SCMP_ACT_ALLOW', undefined, ALLOW],
      ['SCMP_ACT_ERRNO', undefined, EPERM],
      ['SCMP_ACT_ERRNO', 22, ERRNO(22)],
      ['SCMP_ACT_KILL', undefined, 0],
      ['SCMP_ACT_KILL_THREAD', undefined, 0],
      ['SCMP_ACT_KILL_PROCESS', undefined, KILL_PROCESS],
      ['SCMP_ACT_TRAP', undefined, 0x00030000],
      ['SCMP_ACT_TRACE', 7, 0x7ff00007],
      ['SCMP_ACT_LOG', undefined, 0x7ffc0000],
    ];
    for (const [action, errnoRet, expected] of cases) {
      const filter = compile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpid'], action, errnoRet }] });
      expect(evaluate(filter, x86('getpid'))).toBe(expected);
    }
  });

  it('uses long jumps when a branch target is more than 255 instructions away, and stays correct', () => {
    // 300 conditional rules on one syscall make its leaf ~1800 instructions long: the tree's jumps over it
    // and the rules' jumps to the default return cannot be 8-bit.
    const syscalls: SeccompProfile['syscalls'] = [];
    for (let i = 0; i < 300; i++)
      syscalls.push({ names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: i * 7, op: 'SCMP_CMP_EQ' }] });
    syscalls.push({ names: ['getpid', 'read'], action: 'SCMP_ACT_ALLOW' });
    const filter = compile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls });
    const program = decodeFilter(filter);
    expect(program.length).toBeLessThanOrEqual(BPF_MAXINSNS);
    expect(program.some((i) => i.code === 0x05 && i.k > 255)).toBe(true);
    expect(evaluate(filter, x86('kill', [0n]))).toBe(ALLOW);
    expect(evaluate(filter, x86('kill', [299n * 7n]))).toBe(ALLOW);
    expect(evaluate(filter, x86('kill', [5n]))).toBe(EPERM);
    expect(evaluate(filter, x86('read'))).toBe(ALLOW);
    expect(evaluate(filter, x86('getpid'))).toBe(ALLOW);
    expect(evaluate(filter, x86('write'))).toBe(EPERM);
  });

  it('refuses a program longer than BPF_MAXINSNS', () => {
    const syscalls: SeccompProfile['syscalls'] = [];
    for (let i = 0; i < 1000; i++)
      syscalls.push({ names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: i, op: 'SCMP_CMP_EQ' }] });
    expect(() => compile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls })).toThrow(
      expect.objectContaining({ code: 'TOO_LARGE' }),
    );
  });

  it('selects rules by kept capabilities, architecture and kernel version the way Docker does', () => {
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['umount2'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_ADMIN', 'CAP_SYS_BOOT'] } },
        { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
        { names: ['getpid'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } },
        { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.2' } },
        { names: ['kill'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.10' } },
      ],
    };
    const plain = compile(profile);
    const admin = compile(profile, [CAP_SYS_ADMIN]);
    expect([evaluate(plain, x86('mount')), evaluate(admin, x86('mount'))]).toEqual([EPERM, ALLOW]);
    expect([evaluate(plain, x86('umount2')), evaluate(admin, x86('umount2'))]).toEqual([ALLOW, EPERM]);
    expect(evaluate(plain, x86('arch_prctl'))).toBe(ALLOW);
    expect(evaluate(plain, x86('getpid'))).toBe(EPERM);
    expect(evaluate(plain, x86('ptrace'))).toBe(EPERM); // kernel 6.1 < 6.2
    expect(evaluate(plain, x86('kill'))).toBe(EPERM); // 6.1 >= 5.10 excludes it
    const newer = compileProfile(profile, { arch: 'x86_64', capabilities: [], kernelRelease: '6.18.44-fc' });
    expect(evaluate(newer, x86('ptrace'))).toBe(ALLOW);
  });

  it('skips syscall names the architecture does not have', () => {
    const profile = only({ names: ['open', 'openat', 'no_such_call'], action: 'SCMP_ACT_ALLOW' });
    const filter = compileProfile(profile, { arch: 'aarch64', capabilities: [] });
    const openat = SYSCALLS_AARCH64.openat as number;
    expect(SYSCALLS_AARCH64.open).toBeUndefined();
    expect(evaluate(filter, { nr: openat, arch: AUDIT_ARCH_AARCH64 })).toBe(ALLOW);
  });
});

describe('the default profile', () => {
  const sizes = [[], DOCKER_CAPS, [...DOCKER_CAPS, CAP_SYS_ADMIN], Array.from({ length: 41 }, (_, i) => i)];

  it.each(sizes.map((caps) => ({ caps: caps.length })))('compiles far below BPF_MAXINSNS with $caps capabilities', ({ caps }) => {
    const capabilities = sizes.find((set) => set.length === caps) as number[];
    for (const arch of ['x86_64', 'aarch64'] as const) {
      const length = compileProfile(defaultProfile(), { arch, capabilities }).length / 8;
      expect(length).toBeGreaterThan(50);
      expect(length).toBeLessThan(BPF_MAXINSNS / 4);
    }
  });

  const filter = compile(defaultProfile(), DOCKER_CAPS);
  const admin = compile(defaultProfile(), [...DOCKER_CAPS, CAP_SYS_ADMIN]);
  const CLONE_THREAD_FLAGS = 0x3d0f00n; // what glibc's pthread_create passes
  const CLONE_NEWUSER = 0x10000000n;
  const CLONE_NEWNS = 0x20000n;

  it('allows what a shell, coreutils, procps, iproute2 and threads need', () => {
    const allowed = [
      'read', 'write', 'openat', 'close', 'execve', 'mmap', 'mprotect', 'brk', 'rt_sigaction', 'rt_sigreturn',
      'wait4', 'fork', 'vfork', 'getdents64', 'newfstatat', 'statx', 'ioctl', 'futex', 'rseq', 'set_robust_list',
      'exit_group', 'prlimit64', 'getrandom', 'sendmsg', 'recvmsg', 'bind', 'arch_prctl', 'chroot',
    ];
    for (const name of allowed) expect([name, evaluate(filter, x86(name))]).toEqual([name, ALLOW]);
    expect(evaluate(filter, x86('clone', [CLONE_THREAD_FLAGS]))).toBe(ALLOW);
    expect(evaluate(filter, x86('socket', [16n /* AF_NETLINK */]))).toBe(ALLOW);
    expect(evaluate(filter, x86('socket', [2n /* AF_INET */]))).toBe(ALLOW);
    expect(evaluate(filter, x86('personality', [0xffffffffn]))).toBe(ALLOW);
  });

  it('denies kernel-wide and escape-prone calls with EPERM', () => {
    const denied = [
      'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'keyctl', 'add_key',
      'request_key', 'reboot', 'swapon', 'swapoff', 'bpf', 'perf_event_open', 'userfaultfd', 'open_by_handle_at',
      'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'pivot_root', 'mount', 'umount2', 'unshare',
      'setns', 'sethostname', 'ptrace',
    ];
    for (const name of denied) expect([name, evaluate(filter, x86(name))]).toEqual([name, EPERM]);
    for (const name of ['kexec_load', 'keyctl', 'pivot_root', 'io_uring_setup', 'userfaultfd'])
      expect([name, evaluate(admin, x86(name))]).toEqual([name, EPERM]);
  });

  it('refuses namespace-creating clone and answers clone3 with ENOSYS unless CAP_SYS_ADMIN is kept', () => {
    expect(evaluate(filter, x86('clone', [CLONE_NEWUSER]))).toBe(EPERM);
    expect(evaluate(filter, x86('clone', [CLONE_NEWNS | CLONE_THREAD_FLAGS]))).toBe(EPERM);
    expect(evaluate(filter, x86('clone3'))).toBe(ENOSYS);
    expect(evaluate(admin, x86('clone', [CLONE_NEWUSER]))).toBe(ALLOW);
    expect(evaluate(admin, x86('clone3'))).toBe(ALLOW);
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'sethostname'])
      expect([name, evaluate(admin, x86(name))]).toEqual([name, ALLOW]);
  });

  it('refuses AF_ALG and AF_VSOCK sockets, also with junk in the high word', () => {
    expect(evaluate(filter, x86('socket', [38n]))).toBe(EPERM);
    expect(evaluate(filter, x86('socket', [40n]))).toBe(EPERM);
    expect(evaluate(filter, x86('socket', [0x1_0000_0026n]))).toBe(EPERM);
    expect(evaluate(filter, x86('socket', [39n]))).toBe(ALLOW);
    expect(evaluate(filter, x86('socket', [45n]))).toBe(ALLOW);
  });
});
