// limits.ts — the resource limits a container gets, and every translation from those (docker-style) values
// to what a cgroup v1 or v2 control file accepts. Pure functions, each tested on its own.
// Kernel docs: Documentation/scheduler/sched-bwc.rst (CFS quota), cgroup-v1/memory.rst, cgroup-v2.rst.
import type { DeviceRule } from './devices.js';
import { CgroupError } from './errors.js';

/** Resource limits; an absent field is left as the kernel has it. */
export interface CgroupLimits {
  /** CPUs (may be fractional): quota per 100 ms period, docker `--cpus` */
  cpus?: number;
  /** CFS period in µs for `cpus` (1000…1000000, default 100000), docker `--cpu-period`, OCI cpu.period */
  cpuPeriod?: number;
  /** CPUs the group may run on, a kernel CPU list such as "0-2,4" (cpuset.cpus), docker `--cpuset-cpus` */
  cpusetCpus?: string;
  /** memory nodes the group may allocate from, a list such as "0" (cpuset.mems), docker `--cpuset-mems` */
  cpusetMems?: string;
  /** relative CPU weight in cgroup v1 units (2…262144, default 1024), docker `--cpu-shares` */
  cpuShares?: number;
  /** relative CPU weight in cgroup v2 units (1…10000, default 100); exclusive with cpuShares */
  cpuWeight?: number;
  /** memory limit in bytes; -1 = unlimited, docker `--memory` */
  memory?: number;
  /** memory + swap in bytes (docker semantics); equal to memory = no swap; -1 = unlimited swap */
  memorySwap?: number;
  /**
   * memory the group is protected down to under memory pressure, in bytes; -1 = unlimited. docker
   * `--memory-reservation`, OCI memory.reservation: v1 memory.soft_limit_in_bytes, v2 memory.low
   */
  memoryReservation?: number;
  /** maximum number of tasks; 0 or -1 = unlimited (docker `--pids-limit` semantics) */
  pids?: number;
  /** which device nodes may be created and opened: a default `a *:* rwm` and its exceptions (devices.ts) */
  devices?: readonly DeviceRule[];
}

/** CFS period used for `cpus`: 100 ms, docker's and runc's default. */
export const CPU_PERIOD_US = 100_000;

// Smallest CFS quota the kernel accepts (sched-bwc.rst: "min 1ms"); smaller writes fail with EINVAL.
const MIN_QUOTA_US = 1000;

function invalid(message: string, value: unknown): CgroupError {
  return new CgroupError(message, { code: 'INVALID_LIMIT', value: String(value) });
}

/** `cpus` → CFS quota and period in µs: 1.5 → { quota: 150000, period: 100000 }. */
export function cpusToQuota(cpus: number, period = CPU_PERIOD_US): { quota: number; period: number } {
  if (!Number.isFinite(cpus) || cpus <= 0) throw invalid(`cpus must be a positive number, got ${cpus}`, cpus);
  return { quota: Math.max(MIN_QUOTA_US, Math.round(cpus * period)), period };
}

/** `cpus` → the cgroup v2 `cpu.max` line "quota period". */
export function cpuMaxValue(cpus: number, period = CPU_PERIOD_US): string {
  const { quota } = cpusToQuota(cpus, period);
  return `${quota} ${period}`;
}

const SHARES_MIN = 2;
const SHARES_MAX = 262_144;
const WEIGHT_MIN = 1;
const WEIGHT_MAX = 10_000;

// The exponent a weight has on the log-quadratic curve through (2,1), (1024,100), (262144,10000) that runc
// (opencontainers/cgroups PR #20) and crun (PR #1767) adopted: the old linear map turned the default 1024
// shares into weight 39 instead of 100 (runc #4772, kubernetes #131216).
const weightExponent = (shares: number) => {
  const l = Math.log2(shares);
  return (l * l + 125 * l) / 612 - 7 / 34;
};

/** cgroup v1 `cpu.shares` → cgroup v2 `cpu.weight` (1024 → 100, 2 → 1, 262144 → 10000). */
export function sharesToWeight(shares: number): number {
  if (!Number.isInteger(shares)) throw invalid(`cpu shares must be an integer, got ${shares}`, shares);
  if (shares <= SHARES_MIN) return WEIGHT_MIN;
  if (shares >= SHARES_MAX) return WEIGHT_MAX;
  return Math.ceil(10 ** weightExponent(shares));
}

/** cgroup v2 `cpu.weight` → cgroup v1 `cpu.shares`: the inverse of sharesToWeight (100 → 1024). */
export function weightToShares(weight: number): number {
  if (!Number.isInteger(weight)) throw invalid(`cpu weight must be an integer, got ${weight}`, weight);
  if (weight <= WEIGHT_MIN) return SHARES_MIN;
  if (weight >= WEIGHT_MAX) return SHARES_MAX;
  // solve (l² + 125 l)/612 − 7/34 = log10(weight) for l = log2(shares)
  const c = 612 * (Math.log10(weight) + 7 / 34);
  const l = (-125 + Math.sqrt(125 * 125 + 4 * c)) / 2;
  // sharesToWeight rounds up, so the shares for a weight are the largest ones still mapping to it: the
  // floor of the exact solution (nudged by 1e-6, since 2^l comes out as 1023.9999… for weight 100)
  return Math.floor(2 ** l + 1e-6);
}

/** Memory bytes → the v1 `memory.limit_in_bytes` / `memsw` value ("-1" = unlimited). */
export function memoryV1Value(bytes: number): string {
  return bytes === -1 ? '-1' : String(bytes);
}

/** Memory bytes → the v2 `memory.max` value ("max" = unlimited). */
export function memoryV2Value(bytes: number): string {
  return bytes === -1 ? 'max' : String(bytes);
}

/**
 * docker's memory+swap total → cgroup v2 `memory.swap.max`, which counts swap alone:
 * total − memory ("0" when equal: no swap), "max" for -1. As runc's ConvertMemorySwapToCgroupV2Value.
 */
export function swapV1ToV2(memorySwap: number, memory: number | undefined): string {
  if (memorySwap === -1) return 'max';
  if (memory === undefined || memory <= 0) {
    throw invalid('memorySwap needs a memory limit (it is memory + swap)', memorySwap);
  }
  if (memorySwap < memory) {
    throw invalid(`memorySwap (${memorySwap}) must be at least memory (${memory})`, memorySwap);
  }
  return String(memorySwap - memory);
}

/**
 * Order of the two v1 writes when memory and memory+swap change together. The kernel keeps
 * limit_in_bytes ≤ memsw.limit_in_bytes at every moment and rejects a write that would break it with
 * EINVAL, so when memsw grows past the current limit (or becomes unlimited) it must be written first.
 */
export function v1MemoryWriteOrder(currentLimit: number, memorySwap: number): ['memsw', 'memory'] | ['memory', 'memsw'] {
  return memorySwap === -1 || memorySwap > currentLimit ? ['memsw', 'memory'] : ['memory', 'memsw'];
}

/**
 * `pids` → the `pids.max` value. 0 and -1 mean unlimited ("max"), as docker's `--pids-limit` does; runc
 * ≥ 1.4 instead maps 0 to "1", but a container that can never fork is not a useful thing to ask for by
 * accident, and our CLI follows docker.
 */
export function pidsLimitValue(pids: number): string {
  if (!Number.isInteger(pids) || pids < -1) throw invalid(`pids must be an integer ≥ -1, got ${pids}`, pids);
  return pids <= 0 ? 'max' : String(pids);
}
