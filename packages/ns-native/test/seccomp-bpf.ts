// seccomp-bpf.ts — test helper: a classic-BPF interpreter for the instruction subset the seccomp compiler
// emits, so unit tests can ask "what does this filter return for syscall N with these arguments" for
// thousands of inputs without installing anything. It refuses what the kernel's checker refuses
// (backward or out-of-range jumps, unknown opcodes, running off the end). See seccomp(2), <linux/filter.h>.
import { decodeFilter } from '../lib/seccomp/index.js';

export interface SeccompData {
  nr: number;
  arch: number;
  /** 64-bit arguments; missing ones are 0 */
  args?: bigint[];
}

const U32 = 0xffffffffn;

function word(data: SeccompData, offset: number): number {
  if (offset === 0) return data.nr >>> 0;
  if (offset === 4) return data.arch >>> 0;
  if (offset >= 16 && offset < 64 && offset % 4 === 0) {
    const arg = data.args?.[Math.floor((offset - 16) / 8)] ?? 0n;
    return Number(offset % 8 === 0 ? arg & U32 : (arg >> 32n) & U32);
  }
  throw new Error(`load from unexpected seccomp_data offset ${offset}`);
}

/** Runs FILTER on DATA and returns the SECCOMP_RET_* value. */
export function evaluate(filter: Buffer, data: SeccompData): number {
  const program = decodeFilter(filter);
  let a = 0;
  let pc = 0;
  for (;;) {
    const insn = program[pc];
    if (insn === undefined) throw new Error(`ran off the end of the program at ${pc}`);
    const jump = (taken: boolean): number => {
      const target = pc + 1 + (taken ? insn.jt : insn.jf);
      if (target >= program.length) throw new Error(`jump out of the program at ${pc}`);
      return target;
    };
    switch (insn.code) {
      case 0x20:
        a = word(data, insn.k);
        pc++;
        break;
      case 0x54:
        a = (a & insn.k) >>> 0;
        pc++;
        break;
      case 0x05:
        pc = pc + 1 + insn.k;
        break;
      case 0x15:
        pc = jump(a === insn.k);
        break;
      case 0x25:
        pc = jump(a > insn.k);
        break;
      case 0x35:
        pc = jump(a >= insn.k);
        break;
      case 0x06:
        return insn.k;
      default:
        throw new Error(`unexpected opcode 0x${insn.code.toString(16)} at ${pc}`);
    }
  }
}
