// security.ts — the `security` option of spawnContainer: its type and validation. The child applies it
// after pivot_root (src/hardening.cc, src/privileges.cc); the parent writes the id maps (src/userns.cc).
// See: capabilities(7), seccomp(2), user_namespaces(7), mount_setattr(2).
import path from 'node:path';
import { lastCap } from './capabilities.js';
import type { NativeSecurityOptions } from './native.js';
import { checkBoolean, checkInteger, checkStrings, invalid } from './validate.js';

/** A user namespace: container uid/gid 0..size-1 are host hostUid../hostGid... */
export interface UsernsMapping {
  hostUid: number;
  hostGid: number;
  size: number;
}

/**
 * The five capability sets of capabilities(7), capability numbers 0..lastCap(). The kernel's rules, checked
 * here so a bad set fails before anything is made: effective ⊆ permitted (capset EPERM), inheritable ⊆
 * bounding (capset may not add one outside it), ambient ⊆ permitted ∩ inheritable (PR_CAP_AMBIENT_RAISE EPERM).
 * After the execve of the command, a uid other than 0 keeps only the ambient set in permitted and effective
 * (no file capabilities), while root gets bounding ∪ inheritable in both.
 */
export interface CapabilitySets {
  bounding: number[];
  permitted: number[];
  effective: number[];
  inheritable: number[];
  ambient: number[];
}

export interface SecurityOptions {
  /**
   * An array: capability numbers (0..lastCap()) kept in the bounding, permitted and effective sets, with
   * inheritable and ambient emptied. Or the five sets, for a user other than root with ambient capabilities.
   * Everything else leaves the bounding set. A kept capability the runtime itself lacks stays absent (the
   * kernel cannot raise it).
   */
  capabilities: number[] | CapabilitySets;
  /** prctl(PR_SET_NO_NEW_PRIVS, 1): setuid binaries and file capabilities no longer raise privileges. */
  noNewPrivileges: boolean;
  /**
   * Classic BPF program (N × 8-byte struct sock_filter, 1 ≤ N ≤ 4096). With noNewPrivileges it is installed as
   * the very last step and must allow execveat (the ctr-init memfd), execve (the command) and ctr-init's static
   * start-up (brk, arch_prctl, set_tid_address, fcntl…); without, it is installed before the capabilities are
   * dropped (it needs CAP_SYS_ADMIN then) and must also allow capget, capset, prctl and fcntl.
   */
  seccomp?: Buffer;
  /** Absolute paths inside: files get /dev/null bound over them, directories an empty read-only tmpfs. */
  maskedPaths: string[];
  /** Absolute paths inside, made read-only with everything mounted below them. */
  readonlyPaths: string[];
  /** The root mount read-only, with a writable tmpfs (nosuid, nodev, mode 1777) on /tmp. */
  readonlyRootfs: boolean;
  /** A new user namespace, with the rootfs idmapped so its files keep their owners inside. */
  userns?: UsernsMapping;
}

// Kernel ids are 32-bit and (uid_t)-1 means "no id": the last usable host id is 2^32 - 2.
const MAX_ID = 2 ** 32 - 2;
// BPF_MAXINSNS, linux/bpf_common.h.
const MAX_BPF_INSNS = 4096;

function checkContainerPaths(name: string, value: unknown): string[] {
  const paths = checkStrings(name, value, { absolute: true });
  paths.forEach((p, i) => {
    // The child resolves without following symlinks and lexically (no ".." games), so spell it plainly.
    if (p === '/' || path.posix.normalize(p) !== p || p.endsWith('/')) {
      invalid(`${name}[${i}]`, `must be a normalized absolute path other than '/', got '${p}'`);
    }
  });
  return paths;
}

function checkUserns(value: UsernsMapping): UsernsMapping {
  if (typeof value !== 'object' || value === null) invalid('security.userns', 'must be an object');
  const hostUid = checkInteger('security.userns.hostUid', value.hostUid, 0, MAX_ID);
  const hostGid = checkInteger('security.userns.hostGid', value.hostGid, 0, MAX_ID);
  const size = checkInteger('security.userns.size', value.size, 1, MAX_ID + 1);
  if (hostUid + size - 1 > MAX_ID || hostGid + size - 1 > MAX_ID) {
    invalid('security.userns', `maps past the last id ${MAX_ID}`);
  }
  return { hostUid, hostGid, size };
}

const SETS = ['bounding', 'permitted', 'effective', 'inheritable', 'ambient'] as const;

function checkCapabilitySets(value: SecurityOptions['capabilities']) {
  const last = lastCap();
  const numbers = (name: string, list: unknown) => {
    if (!Array.isArray(list)) invalid(name, 'must be an array of capability numbers');
    return list.map((cap, i) => checkInteger(`${name}[${i}]`, cap, 0, last));
  };
  if (Array.isArray(value)) {
    const kept = numbers('security.capabilities', value);
    return { capabilities: kept, permitted: kept, effective: kept, inheritable: [], ambient: [] };
  }
  if (typeof value !== 'object' || value === null) invalid('security.capabilities', 'must be an array of numbers or the five sets');
  const [bounding, permitted, effective, inheritable, ambient] = SETS.map((set) => numbers(`security.capabilities.${set}`, value[set]));
  const subset = (name: string, set: number[], of: number[][], why: string) => {
    const outside = set.find((cap) => !of.every((other) => other.includes(cap)));
    if (outside !== undefined) invalid(`security.capabilities.${name}`, `holds ${outside}, ${why}`);
  };
  subset('effective', effective!, [permitted!], 'not in permitted: the kernel refuses an effective capability that is not permitted');
  subset('inheritable', inheritable!, [bounding!], 'not in bounding: the kernel refuses an inheritable capability outside the bounding set');
  subset('ambient', ambient!, [permitted!, inheritable!], 'not in both permitted and inheritable: the kernel refuses to raise it as ambient');
  return { capabilities: bounding!, permitted: permitted!, effective: effective!, inheritable: inheritable!, ambient: ambient! };
}

/** Validates the security option; returns the copy handed to the native side. */
export function checkSecurity(security: SecurityOptions): NativeSecurityOptions {
  if (typeof security !== 'object' || security === null) invalid('security', 'must be an object');
  const sets = checkCapabilitySets(security.capabilities);
  const seccomp = security.seccomp;
  if (seccomp !== undefined) {
    if (!Buffer.isBuffer(seccomp)) invalid('security.seccomp', 'must be a Buffer');
    if (seccomp.length === 0 || seccomp.length % 8 !== 0 || seccomp.length / 8 > MAX_BPF_INSNS) {
      invalid('security.seccomp', `must hold 1-${MAX_BPF_INSNS} 8-byte instructions, got ${seccomp.length} bytes`);
    }
  }
  return {
    ...sets,
    lastCap: lastCap(),
    noNewPrivileges: checkBoolean('security.noNewPrivileges', security.noNewPrivileges),
    ...(seccomp !== undefined ? { seccomp } : {}),
    maskedPaths: checkContainerPaths('security.maskedPaths', security.maskedPaths),
    readonlyPaths: checkContainerPaths('security.readonlyPaths', security.readonlyPaths),
    readonlyRootfs: checkBoolean('security.readonlyRootfs', security.readonlyRootfs),
    ...(security.userns !== undefined ? { userns: checkUserns(security.userns) } : {}),
  };
}
