// v2/cpu.ts — cgroup v2 `cpu` controller: `cpu.max` ("quota period"), `cpu.weight`, and `cpu.stat`, whose
// usage_usec is present even without the controller enabled (it comes from the core). cgroup-v2.rst "CPU".
import { readKeyedFile, writeCgroupFile } from '../fs.js';
import { cpuMaxValue, sharesToWeight, type CgroupLimits } from '../limits.js';
import type { CgroupStats, CgroupUsage } from '../manager.js';

/** Writes `cpu.max` for `cpus`, and `cpu.weight` from cpuWeight or (converted) cpuShares. */
export function applyCpuV2(dir: string, limits: CgroupLimits): void {
  if (limits.cpus !== undefined) writeCgroupFile(dir, 'cpu.max', cpuMaxValue(limits.cpus, limits.cpuPeriod));
  const weight = limits.cpuWeight ?? (limits.cpuShares === undefined ? undefined : sharesToWeight(limits.cpuShares));
  if (weight !== undefined) writeCgroupFile(dir, 'cpu.weight', String(weight));
}

/** CPU time and throttling from `cpu.stat` (µs on v2, converted to ns). */
export function cpuStatsV2(dir: string): NonNullable<CgroupStats['cpu']> {
  const stat = readKeyedFile(dir, 'cpu.stat');
  return {
    usageNs: (stat.get('usage_usec') ?? 0) * 1000,
    periods: stat.get('nr_periods') ?? 0,
    throttledPeriods: stat.get('nr_throttled') ?? 0,
    throttledNs: (stat.get('throttled_usec') ?? 0) * 1000,
  };
}

/** User and system CPU time (ns) from cpu.stat `user_usec` and `system_usec`, which the core keeps in every group. */
export function cpuUsageV2(dir: string, into: CgroupUsage): void {
  const stat = readKeyedFile(dir, 'cpu.stat');
  const user = stat.get('user_usec');
  const system = stat.get('system_usec');
  into.cpuUserNs = user === undefined ? null : user * 1000;
  into.cpuSystemNs = system === undefined ? null : system * 1000;
}
