// security.ts — what root inside a container may do: `--cap-add/--cap-drop`, `--security-opt`, `--read-only`,
// `--privileged`, `--userns`. Defaults follow the most trusted runtimes: Docker's 14 capabilities,
// no_new_privs, a seccomp allow-list (Docker's profile format, compiled to BPF in @ctr/ns-native), and the
// masked and read-only /proc and /sys paths runc and Docker ship, and Docker's device allow-list (devices.ts).
// `--privileged` switches all of that off, explicitly, and `ctr ps --json` says so. See: capabilities(7), seccomp(2), user_namespaces(7).
import { readFileSync } from 'node:fs';
import { capabilityNames, defaultProfile, lastCap, loadProfile, type SecurityOptions } from '@ctr/ns-native';
import { prepareDevices, type PreparedDevices } from './devices.js';
import { CtrError, invalid } from './errors.js';
import { compiledFilter } from './seccomp-cache.js';

/** Docker's default capability set (moby `oci/caps/defaults.go`). */
export const defaultCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

/** Files masked with /dev/null, directories with an empty read-only tmpfs (runc/Docker defaults). */
export const maskedPaths = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/proc/interrupts', '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Made read-only; /sys as a whole is mounted read-only already. */
export const readonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface SecurityFlags {
  capAdd?: string[];
  capDrop?: string[];
  /** `seccomp=unconfined`, `seccomp=PROFILE.json`, `no-new-privileges[=true|false]` */
  securityOpt?: string[];
  readOnly?: boolean;
  privileged?: boolean;
  /** `auto` (root's /etc/subuid range, else 100000:65536) or `HOSTUID[:HOSTGID]:SIZE` */
  userns?: string;
  /** `HOSTPATH[:CONTAINERPATH][:rwm]`: a host device node in the container, allowed in its cgroup */
  device?: string[];
}

/** What `ctr ps --json` shows about a container's confinement. */
export interface SecuritySummary {
  privileged: boolean;
  capabilities: string[];
  seccomp: string;
  noNewPrivileges: boolean;
  readOnly: boolean;
  userns?: string;
  /** the cgroup's device rules, in order: `deny a *:* rwm`, `allow c 1:3 rwm`, … */
  devices: string[];
}

/** The kernel's capability table, indexed by any string (unknown names give undefined). */
const capNumbers: Readonly<Record<string, number | undefined>> = capabilityNames;

const capName = (name: string): string => {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
};

function capNumber(flag: string, name: string): number {
  const full = capName(name);
  const n = capNumbers[full];
  if (n === undefined || n > lastCap()) throw invalid(`unknown capability "${name}" in ${flag}; see capabilities(7) for the names`);
  return n;
}

/** Kept capabilities after --cap-add / --cap-drop (`ALL` works in both, as in docker). */
function capabilities(flags: SecurityFlags, privileged: boolean): string[] {
  const all = Object.keys(capNumbers).filter((n) => capNumbers[n]! <= lastCap());
  const kept = new Set<string>(privileged ? all : defaultCapabilities);
  for (const name of flags.capDrop ?? []) {
    if (name.toUpperCase() === 'ALL') {
      kept.clear();
    } else {
      capNumber('--cap-drop', name);
      kept.delete(capName(name));
    }
  }
  // Adds come after drops, so `--cap-drop ALL --cap-add NET_BIND_SERVICE` keeps exactly one (docker's habit).
  for (const name of flags.capAdd ?? []) {
    if (name.toUpperCase() === 'ALL') {
      all.forEach((n) => kept.add(n));
    } else {
      capNumber('--cap-add', name);
      kept.add(capName(name));
    }
  }
  return all.filter((n) => kept.has(n));
}

function parseUserns(spec: string): { hostUid: number; hostGid: number; size: number } {
  if (spec === 'auto') {
    const fromFile = (file: string): [number, number] | undefined => {
      try {
        const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('root:'));
        const [, start, count] = line?.split(':') ?? [];
        return line ? [Number(start), Number(count)] : undefined;
      } catch {
        return undefined;
      }
    };
    const [hostUid, size] = fromFile('/etc/subuid') ?? [100000, 65536];
    const [hostGid] = fromFile('/etc/subgid') ?? [hostUid];
    return { hostUid, hostGid, size };
  }
  const parts = spec.split(':');
  const nums = parts.map(Number);
  if (parts.length < 2 || parts.length > 3 || !nums.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw invalid(`invalid --userns "${spec}": use auto, HOSTUID:SIZE or HOSTUID:HOSTGID:SIZE`);
  }
  const [hostUid, hostGid, size] = parts.length === 2 ? [nums[0]!, nums[0]!, nums[1]!] : (nums as [number, number, number]);
  if (hostUid === 0 || hostGid === 0) throw invalid(`invalid --userns "${spec}": container root must not map to host root (id 0)`);
  if (size < 1) throw invalid(`invalid --userns "${spec}": the range needs at least 1 id`);
  if (hostUid + size - 1 > 2 ** 32 - 2 || hostGid + size - 1 > 2 ** 32 - 2) {
    throw invalid(`invalid --userns "${spec}": the range ends past the last id 4294967294`);
  }
  return { hostUid, hostGid, size };
}

/** Turns the flags into the spawn option, the device rules and the summary; throws one-line errors for bad input. */
export function prepareSecurity(flags: SecurityFlags): { options: SecurityOptions; devices: PreparedDevices; summary: SecuritySummary } {
  const privileged = flags.privileged ?? false;
  let seccomp = privileged ? 'unconfined' : 'default';
  let noNewPrivileges = !privileged;
  for (const opt of flags.securityOpt ?? []) {
    const [key, value = 'true'] = opt.split(/[=:](.*)/s);
    if (key === 'seccomp' && value) seccomp = value;
    else if (key === 'no-new-privileges' && (value === 'true' || value === 'false')) noNewPrivileges = value === 'true';
    else throw invalid(`invalid --security-opt "${opt}": use seccomp=unconfined, seccomp=PROFILE.json or no-new-privileges[=true|false]`);
  }
  const kept = capabilities(flags, privileged);
  const numbers = kept.map((n) => capNumbers[n]!);
  let filter: Buffer | undefined;
  if (seccomp !== 'unconfined') {
    try {
      const profile = seccomp === 'default' ? defaultProfile() : loadProfile(seccomp).profile;
      filter = compiledFilter(profile, numbers);
    } catch (err) {
      const e = err as Error & { code?: string };
      throw new CtrError(e.message, { code: e.code ?? 'ERR_CTR_SECCOMP', ...(seccomp === 'default' ? {} : { path: seccomp }), cause: err });
    }
  }
  const userns = flags.userns === undefined ? undefined : parseUserns(flags.userns);
  const devices = prepareDevices(flags.device ?? [], privileged);
  return {
    devices,
    options: {
      capabilities: numbers,
      noNewPrivileges,
      ...(filter ? { seccomp: filter } : {}),
      maskedPaths: privileged ? [] : maskedPaths,
      readonlyPaths: privileged ? [] : readonlyPaths,
      readonlyRootfs: flags.readOnly ?? false,
      ...(userns ? { userns } : {}),
    },
    summary: {
      privileged,
      capabilities: kept,
      seccomp,
      noNewPrivileges,
      readOnly: flags.readOnly ?? false,
      ...(userns ? { userns: `${userns.hostUid}:${userns.hostGid}:${userns.size}` } : {}),
      devices: devices.summary,
    },
  };
}
