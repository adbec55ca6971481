// bpf.ts — test-only: a hand-written classic BPF seccomp program, independent of lib/seccomp's compiler.
// See: seccomp(2) (the example program), linux/filter.h, linux/audit.h (AUDIT_ARCH_X86_64).
const BPF_LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const BPF_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_RET_K = 0x06; // BPF_RET | BPF_K
const AUDIT_ARCH_X86_64 = 0xc000003e;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
// Offsets in struct seccomp_data.
const NR = 0;
const ARCH = 4;

function insn(code: number, jt: number, jf: number, k: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(code, 0);
  b.writeUInt8(jt, 2);
  b.writeUInt8(jf, 3);
  b.writeUInt32LE(k >>> 0, 4);
  return b;
}

/** x86_64 only: syscall `nr` fails with `errno`, everything else is allowed, other ABIs are killed. */
export function denySyscall(nr: number, errno: number): Buffer {
  return Buffer.concat([
    insn(BPF_LD_W_ABS, 0, 0, ARCH),
    insn(BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
    insn(BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
    insn(BPF_LD_W_ABS, 0, 0, NR),
    insn(BPF_JEQ_K, 0, 1, nr),
    insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno),
    insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
  ]);
}

/** x86_64 syscall number of sethostname (arch/x86/entry/syscalls/syscall_64.tbl). */
export const SYS_SETHOSTNAME = 170;
