// seccomp/index.ts — Docker-format seccomp profiles compiled to classic BPF in TypeScript (no libseccomp).
// parseProfile/loadProfile read `--security-opt seccomp=FILE` profiles, defaultProfile() is ctr's own, and
// compileProfile() yields the struct sock_filter array spawnContainer installs right before execve.
// See seccomp(2).
export { compileProfile } from './compile.js';
export type { CompileOptions, SeccompArch } from './compile.js';
export { defaultProfile } from './default.js';
export { parseProfile, loadProfile, SECCOMP_ACTIONS, SECCOMP_OPERATORS, SECCOMP_FLAGS } from './profile.js';
export type {
  ParsedProfile,
  SeccompProfile,
  SeccompSyscallRule,
  SeccompArg,
  SeccompFilter,
  SeccompAction,
  SeccompOperator,
  SeccompFlag,
  SeccompArchMapEntry,
} from './profile.js';
export { SeccompError, isSeccompError } from './errors.js';
export type { SeccompErrorCode, SeccompErrorOptions } from './errors.js';
export { decode as decodeFilter, BPF_MAXINSNS } from './bpf.js';
export type { Instruction } from './bpf.js';
export { SYSCALLS_X86_64, SYSCALLS_AARCH64, AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64 } from './syscalls.js';
