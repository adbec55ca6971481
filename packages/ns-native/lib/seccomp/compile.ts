// compile.ts — turns a Docker seccomp profile into the classic-BPF program seccomp(2) installs, without
// libseccomp. Shape of the program:
//   1. seccomp_data.arch must be the native AUDIT_ARCH, else kill the process: the same syscall number means
//      another syscall on another ABI (int 0x80 from a 64-bit process is i386), so a mismatch is never safe
//      to judge with this table. On x86_64, x32 numbers (bit 30 set) share AUDIT_ARCH_X86_64 and are killed
//      too; nr -1 (what ptrace uses to skip a call) is let through to the default action, as libseccomp does.
//   2. a balanced binary search over the syscall number (≈log2 of the distinct ranges, ~9 compares instead of
//      one per allowed syscall), whose leaves return an action or run the argument checks of that syscall.
// Rule semantics follow Docker + runc + libseccomp: includes/excludes select rules by kept capabilities,
// architecture and kernel version; the `args` of one rule all must hold; several rules for one syscall are
// tried in profile order and the first that matches decides; a rule without args covers the whole syscall
// and supersedes conditional ones; if one rule compares the same argument twice, runc turns each comparison
// into a rule of its own (OR), and so do we. Unknown syscall names are skipped.
// See seccomp(2), seccomp_rule_add(3), <linux/seccomp.h>, <linux/audit.h>.
import { release } from 'node:os';
import {
  BackwardBuilder,
  BPF_ALU_AND_K,
  BPF_JMP_JEQ_K,
  BPF_JMP_JGE_K,
  BPF_JMP_JGT_K,
  BPF_LD_W_ABS,
  BPF_MAXINSNS,
  encode,
  SECCOMP_DATA_ARCH,
  SECCOMP_DATA_ARGS,
  SECCOMP_DATA_NR,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_KILL_THREAD,
  SECCOMP_RET_LOG,
  SECCOMP_RET_TRACE,
  SECCOMP_RET_TRAP,
  type Label,
} from './bpf.js';
import { capabilityNames } from '../capabilities.js';
import { SeccompError } from './errors.js';
import type { SeccompAction, SeccompArg, SeccompFilter, SeccompProfile, SeccompSyscallRule } from './profile.js';
import {
  AUDIT_ARCH_AARCH64,
  AUDIT_ARCH_X86_64,
  SYSCALLS_AARCH64,
  SYSCALLS_X86_64,
  X32_SYSCALL_BIT,
} from './syscalls.js';

export type SeccompArch = 'x86_64' | 'aarch64';

export interface CompileOptions {
  /** the ABI to filter; default: the one Node runs on */
  arch?: SeccompArch;
  /** capability numbers the container keeps (bounding set), for `includes.caps` / `excludes.caps` */
  capabilities: readonly number[];
  /** kernel release for `minKernel`, e.g. "6.1.0-18-amd64"; default: the running kernel's */
  kernelRelease?: string;
}

interface ArchInfo {
  audit: number;
  table: Readonly<Record<string, number>>;
  /** the name Docker profiles use in includes/excludes.arches (Go's GOARCH spelled the libseccomp way) */
  profileName: string;
  x32: boolean;
}

const ARCHES: Record<SeccompArch, ArchInfo> = {
  x86_64: { audit: AUDIT_ARCH_X86_64, table: SYSCALLS_X86_64, profileName: 'amd64', x32: true },
  aarch64: { audit: AUDIT_ARCH_AARCH64, table: SYSCALLS_AARCH64, profileName: 'arm64', x32: false },
};

const EPERM = 1;
const NR_SKIPPED = 0xffffffff; // nr -1 as the u32 BPF loads
const U32_MAX = 0xffffffff;
const TWO_32 = 0x1_0000_0000;

/** One alternative for a syscall: all comparisons hold → return `ret`. */
interface Alternative {
  ret: number;
  conditions: SeccompArg[];
}

/** What the program does for one syscall number: a fixed return, or alternatives tried in order. */
type Handler = { kind: 'ret'; ret: number } | { kind: 'args'; alternatives: Alternative[] };

/** A run of syscall numbers [lo, hi] with one handler; the runs partition 0..2^32-1. */
interface Range {
  lo: number;
  hi: number;
  handler: Handler;
}

/**
 * Compiles a profile to an array of `struct sock_filter` for seccomp(SECCOMP_SET_MODE_FILTER).
 * @throws SeccompError UNKNOWN_ARCH for an architecture without a syscall table, TOO_LARGE above BPF_MAXINSNS
 */
export function compileProfile(profile: SeccompProfile, options: CompileOptions): Buffer {
  const arch = ARCHES[options.arch ?? hostArch()];
  const byNumber = new Map(Object.entries(capabilityNames).map(([name, n]) => [n, name]));
  const kept = new Set(options.capabilities.map((cap) => byNumber.get(cap)).filter((name) => name !== undefined));
  const kernel = kernelVersion(options.kernelRelease ?? release());
  const defaultRet = returnValue(profile.defaultAction, profile.defaultErrnoRet);

  const rules = profile.syscalls.filter((rule) => applies(rule, arch.profileName, kept, kernel));
  const ranges = partition(handlers(rules, arch.table), defaultRet);

  const b = new BackwardBuilder();
  const tree = emitTree(b, ranges, 0, ranges.length - 1, defaultRet);
  emitArchCheck(b, arch, tree);
  if (b.length > BPF_MAXINSNS)
    throw new SeccompError(`seccomp program has ${b.length} instructions, the kernel takes at most ${BPF_MAXINSNS}`, {
      code: 'TOO_LARGE',
    });
  return encode(b.instructions());
}

/** The SECCOMP_RET_* value of a profile action; errno defaults to EPERM as in runc. */
function returnValue(action: SeccompAction, errnoRet: number | undefined): number {
  const data = (errnoRet ?? EPERM) & 0xffff;
  switch (action) {
    case 'SCMP_ACT_ALLOW':
      return SECCOMP_RET_ALLOW;
    case 'SCMP_ACT_ERRNO':
      return SECCOMP_RET_ERRNO | data;
    // Without a tracer attached the kernel fails a traced syscall with ENOSYS (seccomp(2)).
    case 'SCMP_ACT_TRACE':
      return SECCOMP_RET_TRACE | data;
    case 'SCMP_ACT_TRAP':
      return SECCOMP_RET_TRAP;
    case 'SCMP_ACT_LOG':
      return SECCOMP_RET_LOG;
    // libseccomp's SCMP_ACT_KILL is the original per-thread kill.
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return SECCOMP_RET_KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return SECCOMP_RET_KILL_PROCESS;
    case 'SCMP_ACT_NOTIFY':
      throw new SeccompError('SCMP_ACT_NOTIFY is not supported (ctr runs no seccomp agent)', { code: 'UNSUPPORTED' });
  }
}

function hostArch(): SeccompArch {
  if (process.arch === 'x64') return 'x86_64';
  if (process.arch === 'arm64') return 'aarch64';
  throw new SeccompError(`no syscall table for ${process.arch}`, { code: 'UNKNOWN_ARCH' });
}

/** "6.18.44-fc" → [6, 18]; Docker compares only kernel and major revision. */
function kernelVersion(text: string): [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

function atLeast(kernel: [number, number], minimum: string): boolean {
  const [major, minor] = minimum.split('.').map(Number) as [number, number];
  return kernel[0] > major || (kernel[0] === major && kernel[1] >= minor);
}

// Docker's rule selection (moby/profiles setupSeccomp): excludes drop a rule if ANY of its conditions holds,
// includes keep it only if ALL of theirs hold.
function applies(rule: SeccompSyscallRule, arch: string, kept: Set<string>, kernel: [number, number]): boolean {
  const ex: SeccompFilter = rule.excludes ?? {};
  if (ex.arches?.includes(arch)) return false;
  if (ex.caps?.some((cap) => kept.has(cap))) return false;
  if (ex.minKernel !== undefined && atLeast(kernel, ex.minKernel)) return false;
  const inc: SeccompFilter = rule.includes ?? {};
  if (inc.arches !== undefined && inc.arches.length > 0 && !inc.arches.includes(arch)) return false;
  if (inc.caps !== undefined && !inc.caps.every((cap) => kept.has(cap))) return false;
  if (inc.minKernel !== undefined && !atLeast(kernel, inc.minKernel)) return false;
  return true;
}

function handlers(rules: SeccompSyscallRule[], table: Readonly<Record<string, number>>): Map<number, Handler> {
  const byNumber = new Map<number, Handler>();
  for (const rule of rules) {
    const ret = returnValue(rule.action, rule.errnoRet);
    const args = rule.args ?? [];
    const indexes = args.map((arg) => arg.index);
    const repeats = new Set(indexes).size !== indexes.length;
    const alternatives: Alternative[] = repeats
      ? args.map((arg) => ({ ret, conditions: [arg] }))
      : [{ ret, conditions: args }];
    for (const name of rule.names) {
      const nr = table[name];
      if (nr === undefined) continue;
      const current = byNumber.get(nr);
      if (current?.kind === 'ret') continue;
      if (args.length === 0) byNumber.set(nr, { kind: 'ret', ret });
      else if (current === undefined) byNumber.set(nr, { kind: 'args', alternatives: [...alternatives] });
      else current.alternatives.push(...alternatives);
    }
  }
  return byNumber;
}

// Gaps get the default action; neighbours that return the same value merge, so the search tree only needs
// to tell apart numbers that behave differently.
function partition(byNumber: Map<number, Handler>, defaultRet: number): Range[] {
  const ranges: Range[] = [];
  const add = (lo: number, hi: number, handler: Handler): void => {
    const last = ranges[ranges.length - 1];
    if (last && last.handler.kind === 'ret' && handler.kind === 'ret' && last.handler.ret === handler.ret) last.hi = hi;
    else ranges.push({ lo, hi, handler });
  };
  let next = 0;
  for (const nr of [...byNumber.keys()].sort((a, b) => a - b)) {
    if (nr > next) add(next, nr - 1, { kind: 'ret', ret: defaultRet });
    add(nr, nr, byNumber.get(nr) as Handler);
    next = nr + 1;
  }
  if (next <= U32_MAX) add(next, U32_MAX, { kind: 'ret', ret: defaultRet });
  return ranges;
}

// Emitted right subtree first: backwards emission puts it after the left one, which the JGE falls into.
function emitTree(b: BackwardBuilder, ranges: Range[], first: number, last: number, defaultRet: number): Label {
  if (first === last) return emitHandler(b, (ranges[first] as Range).handler, defaultRet);
  const middle = (first + last + 1) >> 1;
  const right = emitTree(b, ranges, middle, last, defaultRet);
  const left = emitTree(b, ranges, first, middle - 1, defaultRet);
  return b.branch(BPF_JMP_JGE_K, (ranges[middle] as Range).lo, right, left);
}

function emitHandler(b: BackwardBuilder, handler: Handler, defaultRet: number): Label {
  if (handler.kind === 'ret') return b.ret(handler.ret);
  let next = b.ret(defaultRet);
  for (const alternative of [...handler.alternatives].reverse()) {
    const match = b.ret(alternative.ret);
    let entry = match;
    for (const condition of [...alternative.conditions].reverse()) entry = emitCondition(b, condition, entry, next);
    next = entry;
  }
  return next;
}

// 64-bit comparisons on a 32-bit machine: seccomp_data.args[i] is two little-endian words, compared high
// word first. A negative `int` argument reaches the filter sign-extended or not depending on the caller,
// which is why profiles compare against explicit 64-bit values.
function emitCondition(b: BackwardBuilder, arg: SeccompArg, onTrue: Label, onFalse: Label): Label {
  const loOffset = SECCOMP_DATA_ARGS + 8 * arg.index;
  const hiOffset = loOffset + 4;
  const split = (value: number): [number, number] => [Math.floor(value / TWO_32), value % TWO_32];
  const [hi, lo] = split(arg.value);
  switch (arg.op) {
    case 'SCMP_CMP_EQ':
      return equal(b, hiOffset, loOffset, hi, lo, onTrue, onFalse);
    case 'SCMP_CMP_NE':
      return equal(b, hiOffset, loOffset, hi, lo, onFalse, onTrue);
    case 'SCMP_CMP_GT':
      return greater(b, BPF_JMP_JGT_K, hiOffset, loOffset, hi, lo, onTrue, onFalse);
    case 'SCMP_CMP_GE':
      return greater(b, BPF_JMP_JGE_K, hiOffset, loOffset, hi, lo, onTrue, onFalse);
    case 'SCMP_CMP_LE':
      return greater(b, BPF_JMP_JGT_K, hiOffset, loOffset, hi, lo, onFalse, onTrue);
    case 'SCMP_CMP_LT':
      return greater(b, BPF_JMP_JGE_K, hiOffset, loOffset, hi, lo, onFalse, onTrue);
    case 'SCMP_CMP_MASKED_EQ': {
      const [maskHi, maskLo] = [hi, lo];
      const [wantHi, wantLo] = split(arg.valueTwo ?? 0);
      b.branch(BPF_JMP_JEQ_K, wantLo, onTrue, onFalse);
      b.op(BPF_ALU_AND_K, maskLo);
      const low = b.op(BPF_LD_W_ABS, loOffset);
      b.branch(BPF_JMP_JEQ_K, wantHi, low, onFalse);
      b.op(BPF_ALU_AND_K, maskHi);
      return b.op(BPF_LD_W_ABS, hiOffset);
    }
  }
}

// ld hi; jeq hi ? next : F; ld lo; jeq lo ? T : F
function equal(b: BackwardBuilder, hiOffset: number, loOffset: number, hi: number, lo: number, t: Label, f: Label): Label {
  b.branch(BPF_JMP_JEQ_K, lo, t, f);
  const low = b.op(BPF_LD_W_ABS, loOffset);
  b.branch(BPF_JMP_JEQ_K, hi, low, f);
  return b.op(BPF_LD_W_ABS, hiOffset);
}

// ld hi; jgt hi ? T : next; jeq hi ? next : F; ld lo; j(gt|ge) lo ? T : F
function greater(
  b: BackwardBuilder,
  lowCompare: number,
  hiOffset: number,
  loOffset: number,
  hi: number,
  lo: number,
  t: Label,
  f: Label,
): Label {
  b.branch(lowCompare, lo, t, f);
  const low = b.op(BPF_LD_W_ABS, loOffset);
  const equalHigh = b.branch(BPF_JMP_JEQ_K, hi, low, f);
  b.branch(BPF_JMP_JGT_K, hi, t, equalHigh);
  return b.op(BPF_LD_W_ABS, hiOffset);
}

// x86_64: ld arch; jeq AUDIT ? next : kill; ld nr; jge X32_BIT ? next : tree; jeq -1 ? tree : kill; kill; tree
// others: ld arch; jeq AUDIT ? +1 : next; kill; ld nr; tree
function emitArchCheck(b: BackwardBuilder, arch: ArchInfo, tree: Label): void {
  let kill: Label;
  let loadNr: Label;
  if (arch.x32) {
    kill = b.ret(SECCOMP_RET_KILL_PROCESS);
    const skipped = b.branch(BPF_JMP_JEQ_K, NR_SKIPPED, tree, kill);
    b.branch(BPF_JMP_JGE_K, X32_SYSCALL_BIT, skipped, tree);
    loadNr = b.op(BPF_LD_W_ABS, SECCOMP_DATA_NR);
  } else {
    loadNr = b.op(BPF_LD_W_ABS, SECCOMP_DATA_NR);
    kill = b.ret(SECCOMP_RET_KILL_PROCESS);
  }
  b.branch(BPF_JMP_JEQ_K, arch.audit, loadNr, kill);
  b.op(BPF_LD_W_ABS, SECCOMP_DATA_ARCH);
}
