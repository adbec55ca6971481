// rlimits.ts — the `rlimits` option of spawnContainer: resource limits of the container's first process, in
// the OCI runtime-spec shape (config.md "POSIX process" rlimits), set with prlimit by the clone child just
// before the exec. Raising a hard limit needs CAP_SYS_RESOURCE in the host's user namespace (a container's
// user namespace gives it none that counts): checked here, so the refusal is one clear error before anything
// is cloned, not an EPERM from the child.
// See: getrlimit(2), prlimit(2), proc(5) (/proc/PID/limits), capabilities(7).
import { readFileSync } from 'node:fs';
import { invalid } from './validate.js';

/** RLIMIT_* names in the kernel's numbering (asm-generic/resource.h), which /proc/self/limits follows too. */
export const rlimitTypes = [
  'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
  'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
] as const;

export type RlimitType = (typeof rlimitTypes)[number];

/** One limit, as runtime-spec's `process.rlimits[]`. `Infinity` (or any value ≥ 2^63) is RLIM_INFINITY. */
export interface Rlimit {
  type: RlimitType;
  soft: number;
  hard: number;
}

/** A limit as the native side takes it: the resource number, -1 for RLIM_INFINITY. */
export interface NativeRlimit {
  resource: number;
  soft: number;
  hard: number;
}

const CAP_SYS_RESOURCE = 24;

/** This process's current limits, indexed by resource (Infinity for unlimited). */
function currentHardLimits(): number[] {
  const lines = readFileSync('/proc/self/limits', 'utf8').split('\n').slice(1);
  // "Max open files            1024                 1048576              files": the columns are aligned
  // at fixed offsets, but the names contain spaces, so read the two numbers after the name.
  return lines.filter((l) => l.trim() !== '').map((line) => {
    const hard = line.slice(26).trim().split(/\s+/)[1];
    return hard === 'unlimited' || hard === undefined ? Infinity : Number(hard);
  });
}

function mayRaiseHardLimits(userns: boolean): boolean {
  if (userns) return false;
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return ((BigInt(`0x${capEff}`) >> BigInt(CAP_SYS_RESOURCE)) & 1n) === 1n;
}

const LIMIT_MAX = 2 ** 63;

function value(name: string, v: unknown): number {
  if (v === Infinity) return Infinity;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) invalid(name, `must be a non-negative integer or Infinity, got ${String(v)}`);
  return v >= LIMIT_MAX ? Infinity : v;
}

/**
 * Validates the rlimits option (`userns`: the container has its own user namespace); returns what the native
 * side takes. Throws ERR_INVALID_ARG_VALUE for an unknown type, soft above hard, a type given twice, or a hard
 * limit above the current one that this process may not raise.
 */
export function checkRlimits(rlimits: Rlimit[], { userns = false } = {}): NativeRlimit[] {
  if (!Array.isArray(rlimits)) invalid('rlimits', 'must be an array');
  let current: number[] | undefined;
  const seen = new Set<string>();
  return rlimits.map((r, i) => {
    const name = `rlimits[${i}]`;
    if (typeof r !== 'object' || r === null) invalid(name, 'must be an object');
    const resource = rlimitTypes.indexOf(r.type);
    if (resource < 0) invalid(`${name}.type`, `'${String(r.type)}' is not one of ${rlimitTypes.join(', ')}`);
    if (seen.has(r.type)) invalid(`${name}.type`, `'${r.type}' is given twice`);
    seen.add(r.type);
    const soft = value(`${name}.soft`, r.soft);
    const hard = value(`${name}.hard`, r.hard);
    if (soft > hard) invalid(name, `soft limit ${soft} is above the hard limit ${hard} of ${r.type}`);
    current ??= currentHardLimits();
    const now = current[resource] ?? Infinity;
    if (hard > now && !mayRaiseHardLimits(userns)) {
      invalid(name, `raises the hard limit of ${r.type} from ${now} to ${hard}, which needs CAP_SYS_RESOURCE in the host's user namespace` +
        `${userns ? ' (a container with its own user namespace never has it)' : ' (this process lacks it)'}; ask for at most ${now}`);
    }
    return { resource, soft: soft === Infinity ? -1 : soft, hard: hard === Infinity ? -1 : hard };
  });
}
