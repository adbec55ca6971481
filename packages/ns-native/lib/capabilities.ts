// capabilities.ts — Linux capability names and numbers (linux/capability.h), and the highest capability the
// running kernel knows. The CLI maps `--cap-add NAME` through this table.
// See: capabilities(7), proc(5) (/proc/sys/kernel/cap_last_cap).
import { readFileSync } from 'node:fs';

const table = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_DAC_READ_SEARCH: 2,
  CAP_FOWNER: 3,
  CAP_FSETID: 4,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_LINUX_IMMUTABLE: 9,
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_BROADCAST: 11,
  CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13,
  CAP_IPC_LOCK: 14,
  CAP_IPC_OWNER: 15,
  CAP_SYS_MODULE: 16,
  CAP_SYS_RAWIO: 17,
  CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_PACCT: 20,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_BOOT: 22,
  CAP_SYS_NICE: 23,
  CAP_SYS_RESOURCE: 24,
  CAP_SYS_TIME: 25,
  CAP_SYS_TTY_CONFIG: 26,
  CAP_MKNOD: 27,
  CAP_LEASE: 28,
  CAP_AUDIT_WRITE: 29,
  CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31,
  CAP_MAC_OVERRIDE: 32,
  CAP_MAC_ADMIN: 33,
  CAP_SYSLOG: 34,
  CAP_WAKE_ALARM: 35,
  CAP_BLOCK_SUSPEND: 36,
  CAP_AUDIT_READ: 37,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
  CAP_CHECKPOINT_RESTORE: 40,
};

export type CapabilityName = keyof typeof table;

/** Capability name → number, as in linux/capability.h (CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40). */
export const capabilityNames: Readonly<Record<CapabilityName, number>> = Object.freeze(table);

let cachedLastCap: number | undefined;

/**
 * The highest capability number this kernel supports (/proc/sys/kernel/cap_last_cap); capabilities above
 * it cannot be named to the kernel (PR_CAPBSET_DROP fails with EINVAL). Read once per process.
 */
export function lastCap(): number {
  cachedLastCap ??= Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'), 10);
  return cachedLastCap;
}
