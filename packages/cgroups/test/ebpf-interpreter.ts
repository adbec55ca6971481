// ebpf-interpreter.ts — test helper: runs a BPF_PROG_TYPE_CGROUP_DEVICE program on one struct
// bpf_cgroup_dev_ctx, for the instruction subset the device filter compiler emits, so tests can ask "does this
// program allow a read of c 10:232" for thousands of tuples without loading anything. It refuses what the
// verifier refuses: unknown opcodes, reading a register never written, ctx loads outside the struct, jumps
// out of the program or backwards, falling off the end. See Documentation/bpf/standardization.
import { decodeEbpf } from '../src/v2/ebpf.js';

export interface DevCtx {
  type: 'b' | 'c';
  major: number;
  minor: number;
  /** some of 'rwm' */
  access: string;
}

const U32 = 0xffffffffn;
const U64 = (1n << 64n) - 1n;
const sext = (imm: number) => BigInt.asUintN(64, BigInt(imm));

/** Runs `program` and returns r0 at exit (1 allow, 0 deny). */
export function runDeviceProgram(program: Buffer, ctx: DevCtx): number {
  const insns = decodeEbpf(program);
  const access = [...ctx.access].reduce((a, c) => a | ({ m: 1, r: 2, w: 4 } as Record<string, number>)[c]!, 0);
  const words = [BigInt((access << 16) | (ctx.type === 'b' ? 1 : 2)), BigInt(ctx.major), BigInt(ctx.minor)];
  const regs: (bigint | undefined)[] = new Array(11).fill(undefined);
  regs[1] = -1n; // the ctx pointer: only usable as a load base
  const read = (r: number, pc: number): bigint => {
    const v = regs[r];
    if (v === undefined || (r === 1 && v === -1n)) throw new Error(`insn ${pc}: r${r} read before it was written`);
    return v;
  };
  for (let pc = 0, steps = 0; ; steps++) {
    if (steps > 10_000) throw new Error('no exit after 10000 steps');
    const insn = insns[pc];
    if (insn === undefined) throw new Error(`ran off the end of the program at ${pc}`);
    const jump = (taken: boolean): number => {
      if (!taken) return pc + 1;
      if (insn.off < 0) throw new Error(`insn ${pc}: backward jump`);
      const target = pc + 1 + insn.off;
      if (target >= insns.length) throw new Error(`insn ${pc}: jump out of the program`);
      return target;
    };
    switch (insn.code) {
      case 0x61: // ldx w
        if (insn.src !== 1 || regs[1] !== -1n || insn.off % 4 !== 0 || insn.off < 0 || insn.off > 8) {
          throw new Error(`insn ${pc}: load outside struct bpf_cgroup_dev_ctx`);
        }
        regs[insn.dst] = words[insn.off / 4]!;
        pc++;
        break;
      case 0xbf: // mov64 x
        regs[insn.dst] = read(insn.src, pc);
        pc++;
        break;
      case 0xb7: // mov64 k
        regs[insn.dst] = sext(insn.imm);
        pc++;
        break;
      case 0x54: // and32 k
        regs[insn.dst] = (read(insn.dst, pc) & U32) & (sext(insn.imm) & U32);
        pc++;
        break;
      case 0x74: // rsh32 k
        regs[insn.dst] = (read(insn.dst, pc) & U32) >> BigInt(insn.imm & 31);
        pc++;
        break;
      case 0x15: // jeq k
        pc = jump(read(insn.dst, pc) === sext(insn.imm));
        break;
      case 0x55: // jne k
        pc = jump(read(insn.dst, pc) !== sext(insn.imm));
        break;
      case 0x45: // jset k
        pc = jump((read(insn.dst, pc) & sext(insn.imm) & U64) !== 0n);
        break;
      case 0x95: // exit
        return Number(read(0, pc));
      default:
        throw new Error(`insn ${pc}: opcode 0x${insn.code.toString(16)} not supported`);
    }
  }
}
