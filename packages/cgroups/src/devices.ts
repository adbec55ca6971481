// devices.ts — the device allow-list of a group: which device nodes its processes may create (mknod) and
// open (read, write). Without it, root in a container with CAP_MKNOD can mknod a node for any device (the
// host's disk, /dev/mem, /dev/kvm) and open it: the device cgroup is what stops that, in v1 through the
// `devices` controller, in v2 through an eBPF program (v1/devices.ts, v2/device-filter.ts). A rule list is
// a default (`a *:* rwm`, allow or deny) followed by exceptions to it, which is what both can express
// exactly. Documentation/admin-guide/cgroup-v1/devices.rst; the OCI default is runtime-spec config-linux.md.
import { CgroupError } from './errors.js';

/** 'c' character, 'b' block, 'a' both. */
export type DeviceType = 'a' | 'b' | 'c';

export interface DeviceRule {
  allow: boolean;
  type: DeviceType;
  /** '*' = any */
  major: number | '*';
  minor: number | '*';
  /** a non-empty subset of 'rwm' in that order: read, write, mknod */
  access: string;
}

// Device numbers: 12-bit major, 20-bit minor (MINORBITS in <linux/kdev_t.h>).
export const MAX_MAJOR = 0xfff;
export const MAX_MINOR = 0xfffff;

const allowChar = (major: number | '*', minor: number | '*', access = 'rwm'): DeviceRule => ({ allow: true, type: 'c', major, minor, access });

/** Deny everything: the first rule of the default list (and of any list that is not privileged). */
export const DENY_ALL: DeviceRule = { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' };
/** Allow everything: `--privileged`. */
export const ALLOW_ALL: DeviceRule = { allow: true, type: 'a', major: '*', minor: '*', access: 'rwm' };

/**
 * The OCI/Docker default: deny all; the nodes every container has (null, zero, full, random, urandom, tty,
 * console, ptmx and the devpts slaves) in full; any node may be created but not opened (mknod alone is harmless,
 * and images carry device nodes in their layers).
 */
export const DEFAULT_DEVICE_RULES: readonly DeviceRule[] = [
  DENY_ALL,
  allowChar(1, 3), // /dev/null
  allowChar(1, 5), // /dev/zero
  allowChar(1, 7), // /dev/full
  allowChar(1, 8), // /dev/random
  allowChar(1, 9), // /dev/urandom
  allowChar(5, 0), // /dev/tty
  allowChar(5, 1), // /dev/console
  allowChar(5, 2), // /dev/ptmx
  allowChar(136, '*'), // /dev/pts/N
  allowChar('*', '*', 'm'),
  { allow: true, type: 'b', major: '*', minor: '*', access: 'm' },
];

/** A rule as devices.allow reads it and as `ctr ps` shows it: `c 1:3 rwm`. */
export function deviceRuleText(rule: DeviceRule): string {
  return `${rule.type} ${rule.major}:${rule.minor} ${rule.access}`;
}

function fail(index: number, why: string, rule: unknown): never {
  throw new CgroupError(`invalid devices[${index}]: ${why}`, { code: 'INVALID_LIMIT', value: JSON.stringify(rule) });
}

const isNumber = (n: unknown, max: number) => n === '*' || (Number.isInteger(n) && (n as number) >= 0 && (n as number) <= max);

/**
 * Throws INVALID_LIMIT unless `rules` is `a *:* rwm` (allow or deny) followed by exceptions of the other kind:
 * v1 keeps a default and one exception list, and a deny exception under a deny default means nothing.
 */
export function validateDeviceRules(rules: readonly DeviceRule[]): void {
  if (!Array.isArray(rules) || rules.length === 0) fail(0, 'the list must start with the default, a *:* rwm', rules);
  rules.forEach((rule, i) => {
    if (typeof rule !== 'object' || rule === null) fail(i, 'must be an object', rule);
    if (typeof rule.allow !== 'boolean') fail(i, 'allow must be a boolean', rule);
    if (!['a', 'b', 'c'].includes(rule.type)) fail(i, "type must be 'a', 'b' or 'c'", rule);
    if (!isNumber(rule.major, MAX_MAJOR)) fail(i, `major must be '*' or 0-${MAX_MAJOR}`, rule);
    if (!isNumber(rule.minor, MAX_MINOR)) fail(i, `minor must be '*' or 0-${MAX_MINOR}`, rule);
    if (typeof rule.access !== 'string' || !/^r?w?m?$/.test(rule.access) || rule.access === '') {
      fail(i, "access must be a non-empty subset of 'rwm', in that order", rule);
    }
  });
  const [first] = rules;
  if (first!.type !== 'a' || first!.major !== '*' || first!.minor !== '*' || first!.access !== 'rwm') fail(0, 'the list must start with the default, a *:* rwm (allow or deny)', first);
  rules.forEach((rule, i) => {
    if (i > 0 && rule.allow === first!.allow) {
      fail(i, `an exception must ${first!.allow ? 'deny' : 'allow'} what the default ${first!.allow ? 'allows' : 'denies'}`, rule);
    }
  });
}

/**
 * What a default-plus-exceptions list decides for one access (`access`: some of 'rwm'), as the v1 kernel does
 * (devcgroup_legacy_check_permission): under a deny default one allow exception must cover every requested
 * bit; under an allow default a deny exception sharing any bit denies. The v2 program must decide the same.
 */
export function deviceAllowed(rules: readonly DeviceRule[], type: 'b' | 'c', major: number, minor: number, access: string): boolean {
  const [first, ...exceptions] = rules;
  const bits = [...access];
  const matches = (r: DeviceRule) =>
    (r.type === 'a' || r.type === type) && (r.major === '*' || r.major === major) && (r.minor === '*' || r.minor === minor) &&
    (first!.allow ? bits.some((a) => r.access.includes(a)) : bits.every((a) => r.access.includes(a)));
  return exceptions.some(matches) ? !first!.allow : first!.allow;
}
