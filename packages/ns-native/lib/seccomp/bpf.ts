// bpf.ts — classic BPF as seccomp runs it: the instruction encoding, the seccomp_data offsets, the return
// values, and a back-to-front program builder. Classic BPF only jumps forward and a conditional jump reaches
// at most 255 instructions, so the builder emits the program from its last instruction to its first: every
// jump target already exists when the jump is written, its distance is known, and a target too far away gets
// an unconditional BPF_JA (32-bit offset) trampoline. See seccomp(2), <linux/filter.h>, <linux/bpf_common.h>.

/** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k — 8 bytes, little-endian on the machines we run on. */
export interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export const INSTRUCTION_SIZE = 8;
/** The kernel refuses longer programs (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;

export const BPF_LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS: A = u32 at offset k of seccomp_data
export const BPF_ALU_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K: A &= k
export const BPF_JMP_JA = 0x05; // BPF_JMP | BPF_JA: pc += k
export const BPF_JMP_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
export const BPF_JMP_JGT_K = 0x25; // BPF_JMP | BPF_JGT | BPF_K (unsigned)
export const BPF_JMP_JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K (unsigned)
export const BPF_RET_K = 0x06; // BPF_RET | BPF_K: return k

/** Offsets in struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }. */
export const SECCOMP_DATA_NR = 0;
export const SECCOMP_DATA_ARCH = 4;
export const SECCOMP_DATA_ARGS = 16;

/** Filter return values (SECCOMP_RET_*); the low 16 bits (SECCOMP_RET_DATA) carry errno or trace data. */
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;

const MAX_JUMP = 255;

/** A jump target: the index of an instruction counted from the END of the program (the last one is 0). */
export type Label = number;

/** Builds a program from its last instruction backwards; see the file header for why. */
export class BackwardBuilder {
  // Stored in emission order: reversed[0] is the program's last instruction.
  private readonly reversed: Instruction[] = [];

  /** Label of the instruction emitted most recently, i.e. the first one of the program so far. */
  get head(): Label {
    return this.reversed.length - 1;
  }

  /** Prepends `return k`; returns its label. */
  ret(k: number): Label {
    return this.push({ code: BPF_RET_K, jt: 0, jf: 0, k });
  }

  /** Prepends an instruction that falls through (loads, ALU); returns its label. */
  op(code: number, k: number): Label {
    return this.push({ code, jt: 0, jf: 0, k });
  }

  /** Prepends `if (A <op> k) goto onTrue else goto onFalse`, adding trampolines for far targets. */
  branch(code: number, k: number, onTrue: Label, onFalse: Label): Label {
    // Trampolines go between the branch and the code after it. Each one pushes the other target one
    // instruction further away, so re-check until both fit.
    let t = onTrue;
    let f = onFalse;
    for (;;) {
      if (this.distance(t) > MAX_JUMP) t = this.jump(t);
      else if (this.distance(f) > MAX_JUMP) f = this.jump(f);
      else break;
    }
    return this.push({ code, jt: this.distance(t), jf: this.distance(f), k });
  }


  /** Number of instructions emitted so far. */
  get length(): number {
    return this.reversed.length;
  }

  /** The program in execution order. */
  instructions(): Instruction[] {
    return [...this.reversed].reverse();
  }

  // A trampoline: BPF_JA's offset is 32 bits wide.
  private jump(target: Label): Label {
    return this.push({ code: BPF_JMP_JA, jt: 0, jf: 0, k: this.distance(target) });
  }

  // Offset from the instruction about to be prepended to `target`: the instructions between them.
  private distance(target: Label): number {
    return this.reversed.length - target - 1;
  }

  private push(instruction: Instruction): Label {
    this.reversed.push(instruction);
    return this.head;
  }
}

/** Serialises instructions as an array of struct sock_filter, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
export function encode(instructions: readonly Instruction[]): Buffer {
  const buffer = Buffer.alloc(instructions.length * INSTRUCTION_SIZE);
  instructions.forEach((insn, i) => {
    const at = i * INSTRUCTION_SIZE;
    buffer.writeUInt16LE(insn.code, at);
    buffer.writeUInt8(insn.jt, at + 2);
    buffer.writeUInt8(insn.jf, at + 3);
    buffer.writeUInt32LE(insn.k >>> 0, at + 4);
  });
  return buffer;
}

/** Parses a struct sock_filter array back into instructions (for tests and debugging dumps). */
export function decode(buffer: Buffer): Instruction[] {
  const out: Instruction[] = [];
  for (let at = 0; at + INSTRUCTION_SIZE <= buffer.length; at += INSTRUCTION_SIZE)
    out.push({
      code: buffer.readUInt16LE(at),
      jt: buffer.readUInt8(at + 2),
      jf: buffer.readUInt8(at + 3),
      k: buffer.readUInt32LE(at + 4),
    });
  return out;
}
