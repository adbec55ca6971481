// device-filter.ts — compiles a device rule list (../devices.ts) into the BPF_PROG_TYPE_CGROUP_DEVICE program
// that cgroup v2 runs on every mknod and open of a device node by a process of the group. v2 has no devices
// controller: the kernel calls the attached program with a struct bpf_cgroup_dev_ctx { u32 access_type;
// u32 major; u32 minor; }, access_type = (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*, and the program returns
// 1 to allow, 0 to deny (kernel/bpf/cgroup.c __cgroup_bpf_check_dev_permission). The layout:
//
//   r2 = ctx->access_type; r3 = r2 & 0xffff (type); r2 >>= 16 (access); r4 = major; r5 = minor
//   per exception: if type/access/major/minor do not match, go to the next one; else return !default
//   return default
//
// runc and crun generate the same shape (learned from, not copied). See <linux/bpf.h>.
import { deviceRuleText, type DeviceRule } from '../devices.js';
import {
  ALU64_MOV_X, ALU_AND_K, ALU_RSH_K, EbpfBuilder, JMP_JEQ_K, JMP_JNE_K, JMP_JSET_K, LDX_MEM_W, encodeEbpf, type Label,
} from './ebpf.js';

/** BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_DEV_CHAR. */
export const DEVCG_TYPE = { b: 1, c: 2 } as const;
/** BPF_DEVCG_ACC_MKNOD, _READ, _WRITE. */
export const DEVCG_ACCESS = { m: 1, r: 2, w: 4 } as const;
const ALL_ACCESS = 7;

/** Offsets in struct bpf_cgroup_dev_ctx. */
const CTX_ACCESS_TYPE = 0;
const CTX_MAJOR = 4;
const CTX_MINOR = 8;

// Registers: r1 = ctx (on entry), r2 = requested access bits, r3 = device type, r4 = major, r5 = minor, r6 scratch.
const R_ACCESS = 2;
const R_TYPE = 3;
const R_MAJOR = 4;
const R_MINOR = 5;
const R_SCRATCH = 6;

const accessBits = (access: string) => [...access].reduce((bits, a) => bits | DEVCG_ACCESS[a as keyof typeof DEVCG_ACCESS], 0);

// Prepends the checks of one exception: each mismatch jumps to `next`; a full match falls into `return !default`.
function exception(b: EbpfBuilder, rule: DeviceRule, next: Label): void {
  b.ret(rule.allow ? 1 : 0);
  if (rule.minor !== '*') b.jumpIf(JMP_JNE_K, R_MINOR, rule.minor, next);
  if (rule.major !== '*') b.jumpIf(JMP_JNE_K, R_MAJOR, rule.major, next);
  const bits = accessBits(rule.access);
  if (rule.allow) {
    // an allow exception must cover every requested bit: any bit outside it is a mismatch
    if (bits !== ALL_ACCESS) b.jumpIf(JMP_JSET_K, R_ACCESS, ALL_ACCESS & ~bits, next);
  } else if (bits !== ALL_ACCESS) {
    // a deny exception matches when it shares any bit with the request (v1's match_exception_partial)
    b.jumpIf(JMP_JEQ_K, R_SCRATCH, 0, next);
    b.op(ALU_AND_K, R_SCRATCH, 0, 0, bits);
    b.op(ALU64_MOV_X, R_SCRATCH, R_ACCESS, 0, 0);
  }
  if (rule.type !== 'a') b.jumpIf(JMP_JNE_K, R_TYPE, DEVCG_TYPE[rule.type], next);
}

/**
 * The program (struct bpf_insn array) deciding as `rules` say; `rules` must have passed validateDeviceRules
 * (a default `a *:* rwm`, then exceptions to it).
 */
export function compileDeviceFilter(rules: readonly DeviceRule[]): Buffer {
  const [first, ...exceptions] = rules;
  if (first === undefined || first.type !== 'a') throw new RangeError(`device rules must start with a *:* rwm, got ${first ? deviceRuleText(first) : 'nothing'}`);
  const b = new EbpfBuilder();
  let next = b.ret(first.allow ? 1 : 0);
  for (const rule of [...exceptions].reverse()) {
    exception(b, rule, next);
    next = b.head;
  }
  b.op(LDX_MEM_W, R_MINOR, 1, CTX_MINOR, 0);
  b.op(LDX_MEM_W, R_MAJOR, 1, CTX_MAJOR, 0);
  b.op(ALU_RSH_K, R_ACCESS, 0, 0, 16);
  b.op(ALU_AND_K, R_TYPE, 0, 0, 0xffff);
  b.op(ALU64_MOV_X, R_TYPE, R_ACCESS, 0, 0);
  b.op(LDX_MEM_W, R_ACCESS, 1, CTX_ACCESS_TYPE, 0);
  return encodeEbpf(b.instructions());
}
