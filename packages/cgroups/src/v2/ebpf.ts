// ebpf.ts — the eBPF instruction encoding and a back-to-front program builder, for the cgroup v2 device filter.
// Same approach as the classic-BPF seccomp compiler in @ctr/ns-native (lib/seccomp/bpf.ts): the program is
// emitted from its last instruction to its first, so every jump target exists when the jump is written and
// its distance is known. eBPF jumps are forward or backward with a signed 16-bit offset counted from the next
// instruction; the verifier rejects backward jumps that make loops, so this builder only makes forward ones.
// See: Documentation/bpf/standardization/instruction-set.rst, <linux/bpf.h>, <linux/bpf_common.h>.

/** struct bpf_insn: u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm — 8 bytes, little-endian here. */
export interface EbpfInstruction {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

export const EBPF_INSN_SIZE = 8;

export const LDX_MEM_W = 0x61; // BPF_LDX | BPF_MEM | BPF_W: dst = *(u32 *)(src + off)
export const ALU64_MOV_X = 0xbf; // BPF_ALU64 | BPF_MOV | BPF_X: dst = src
export const ALU64_MOV_K = 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K: dst = imm
export const ALU_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K: dst = (u32)dst & imm (upper half zeroed)
export const ALU_RSH_K = 0x74; // BPF_ALU | BPF_RSH | BPF_K: dst = (u32)dst >> imm
export const JMP_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K: if dst == imm goto +off
export const JMP_JNE_K = 0x55; // BPF_JMP | BPF_JNE | BPF_K: if dst != imm goto +off
export const JMP_JSET_K = 0x45; // BPF_JMP | BPF_JSET | BPF_K: if dst & imm goto +off
export const JMP_EXIT = 0x95; // BPF_JMP | BPF_EXIT: return r0

/** A jump target: an instruction's index counted from the END of the program (the last one is 0). */
export type Label = number;

const MAX_OFFSET = 0x7fff;

/** Builds a program from its last instruction backwards; see the file header. */
export class EbpfBuilder {
  // reversed[0] is the program's last instruction
  private readonly reversed: EbpfInstruction[] = [];

  /** Label of the first instruction of the program so far. */
  get head(): Label {
    return this.reversed.length - 1;
  }

  /** Prepends `r0 = value; exit`; returns the label of the first of the two. */
  ret(value: number): Label {
    this.op(JMP_EXIT, 0, 0, 0, 0);
    return this.op(ALU64_MOV_K, 0, 0, 0, value);
  }

  /** Prepends an instruction that falls through; returns its label. */
  op(code: number, dst: number, src: number, off: number, imm: number): Label {
    this.reversed.push({ code, dst, src, off, imm });
    return this.head;
  }

  /** Prepends `if (dst <op> imm) goto target` (falls through otherwise); returns its label. */
  jumpIf(code: number, dst: number, imm: number, target: Label): Label {
    // The instruction about to be prepended gets label reversed.length; the offset skips what lies between.
    const off = this.reversed.length - target - 1;
    if (off > MAX_OFFSET) throw new RangeError(`eBPF jump of ${off} instructions does not fit in 16 bits`);
    return this.op(code, dst, 0, off, imm);
  }

  instructions(): EbpfInstruction[] {
    return [...this.reversed].reverse();
  }
}

/** Serialises instructions as an array of struct bpf_insn, ready for bpf(BPF_PROG_LOAD). */
export function encodeEbpf(instructions: readonly EbpfInstruction[]): Buffer {
  const buffer = Buffer.alloc(instructions.length * EBPF_INSN_SIZE);
  instructions.forEach((insn, i) => {
    const at = i * EBPF_INSN_SIZE;
    buffer.writeUInt8(insn.code, at);
    buffer.writeUInt8(((insn.src & 0xf) << 4) | (insn.dst & 0xf), at + 1);
    buffer.writeInt16LE(insn.off, at + 2);
    buffer.writeInt32LE(insn.imm | 0, at + 4);
  });
  return buffer;
}

/** Parses a struct bpf_insn array back into instructions (tests, debugging dumps). */
export function decodeEbpf(buffer: Buffer): EbpfInstruction[] {
  const out: EbpfInstruction[] = [];
  for (let at = 0; at + EBPF_INSN_SIZE <= buffer.length; at += EBPF_INSN_SIZE) {
    const regs = buffer.readUInt8(at + 1);
    out.push({ code: buffer.readUInt8(at), dst: regs & 0xf, src: regs >> 4, off: buffer.readInt16LE(at + 2), imm: buffer.readInt32LE(at + 4) });
  }
  return out;
}
