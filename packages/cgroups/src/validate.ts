// validate.ts — checks a CgroupLimits object before anything is written, so that a typo fails early with
// the field's name instead of half-applying limits. Ranges follow docker's checks (daemon/daemon_unix.go)
// and the kernel's (cpu.shares 2…262144, cpu.weight 1…10000, CFS quota ≥ 1 ms).
import * as os from 'node:os';
import { CgroupError } from './errors.js';
import { validateDeviceRules } from './devices.js';
import type { CgroupLimits } from './limits.js';

/** What the host offers; defaults to this machine. */
export interface HostCapacity {
  /** CPUs usable by this process (os.availableParallelism()) */
  cpus: number;
}

/** Smallest memory limit accepted: docker's 6 MiB, below which a container cannot even start. */
export const MIN_MEMORY = 6 * 2 ** 20;

/** Smallest `cpus`: 0.01 (docker's minimum; a 1 ms quota per 100 ms period). */
export const MIN_CPUS = 0.01;

function fail(field: keyof CgroupLimits, value: unknown, rule: string): never {
  throw new CgroupError(`invalid ${field} ${String(value)}: ${rule}`, { code: 'INVALID_LIMIT', value: String(value) });
}

const isInt = (v: number) => Number.isSafeInteger(v);

/**
 * Throws a CgroupError (code INVALID_LIMIT) for the first limit that is out of range or contradicts
 * another; returns the limits unchanged otherwise.
 */
export function validateLimits(limits: CgroupLimits, host: HostCapacity = { cpus: os.availableParallelism() }): CgroupLimits {
  const { cpus, cpuShares, cpuWeight, memory, memorySwap, pids } = limits;
  if (cpus !== undefined) {
    if (!Number.isFinite(cpus) || cpus < MIN_CPUS) fail('cpus', cpus, `must be at least ${MIN_CPUS}`);
    if (cpus > host.cpus) fail('cpus', cpus, `the host has ${host.cpus} CPUs`);
  }
  if (cpuShares !== undefined && cpuWeight !== undefined) fail('cpuWeight', cpuWeight, 'set either cpuShares or cpuWeight, not both');
  if (cpuShares !== undefined && (!isInt(cpuShares) || cpuShares < 2 || cpuShares > 262_144)) {
    fail('cpuShares', cpuShares, 'must be an integer from 2 to 262144');
  }
  if (cpuWeight !== undefined && (!isInt(cpuWeight) || cpuWeight < 1 || cpuWeight > 10_000)) {
    fail('cpuWeight', cpuWeight, 'must be an integer from 1 to 10000');
  }
  if (memory !== undefined && memory !== -1 && (!isInt(memory) || memory < MIN_MEMORY)) {
    fail('memory', memory, `must be -1 (unlimited) or an integer of at least ${MIN_MEMORY} bytes (6 MiB)`);
  }
  if (memorySwap !== undefined && memorySwap !== -1) {
    if (!isInt(memorySwap)) fail('memorySwap', memorySwap, 'must be -1 (unlimited) or an integer number of bytes');
    if (memory === undefined || memory === -1) fail('memorySwap', memorySwap, 'needs a memory limit (it is memory + swap)');
    if (memorySwap < memory) fail('memorySwap', memorySwap, `must be at least memory (${memory})`);
  }
  if (pids !== undefined && (!isInt(pids) || pids < -1)) fail('pids', pids, 'must be an integer ≥ -1 (0 and -1: unlimited)');
  const { cpuPeriod, memoryReservation } = limits;
  // sched-bwc.rst: the period is 1 ms to 1 s
  if (cpuPeriod !== undefined && (!isInt(cpuPeriod) || cpuPeriod < 1000 || cpuPeriod > 1_000_000)) {
    fail('cpuPeriod', cpuPeriod, 'must be an integer from 1000 to 1000000 (µs)');
  }
  if (memoryReservation !== undefined && memoryReservation !== -1 && (!isInt(memoryReservation) || memoryReservation < 0)) {
    fail('memoryReservation', memoryReservation, 'must be -1 (unlimited) or an integer number of bytes');
  }
  for (const field of ['cpusetCpus', 'cpusetMems'] as const) {
    const list = limits[field];
    // the kernel's list format (cpusets.rst "cpuset.cpus"): comma-separated numbers and ranges
    if (list !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) fail(field, JSON.stringify(list), 'must be a list such as "0-2,4"');
  }
  if (limits.devices !== undefined) validateDeviceRules(limits.devices);
  return limits;
}
