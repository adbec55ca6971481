// v1/cpu.ts — cgroup v1 `cpu` and `cpuacct` controllers, which may be mounted apart (as on our CI) or
// together as cpu,cpuacct. CFS bandwidth: Documentation/scheduler/sched-bwc.rst; cpuacct:
// Documentation/admin-guide/cgroup-v1/cpuacct.rst.
import { readCgroupFile, readKeyedFile, readOptionalCgroupFile, writeCgroupFile } from '../fs.js';
import { cpusToQuota, weightToShares, type CgroupLimits } from '../limits.js';
import type { CgroupStats, CgroupUsage } from '../manager.js';

/** Writes CFS period + quota for `cpus`, and `cpu.shares` from cpuShares or (converted) cpuWeight. */
export function applyCpuV1(cpuDir: string, limits: CgroupLimits): void {
  if (limits.cpus !== undefined) {
    const { quota, period } = cpusToQuota(limits.cpus, limits.cpuPeriod);
    // period first: the quota is checked against the period in force when it is written
    writeCgroupFile(cpuDir, 'cpu.cfs_period_us', String(period));
    writeCgroupFile(cpuDir, 'cpu.cfs_quota_us', String(quota));
  }
  const shares = limits.cpuShares ?? (limits.cpuWeight === undefined ? undefined : weightToShares(limits.cpuWeight));
  if (shares !== undefined) writeCgroupFile(cpuDir, 'cpu.shares', String(shares));
}

/** CPU time from `cpuacct.usage` (ns) and throttling from `cpu.stat` (throttled_time is in ns on v1). */
export function cpuStatsV1(cpuDir: string, cpuacctDir: string): NonNullable<CgroupStats['cpu']> {
  const stat = readKeyedFile(cpuDir, 'cpu.stat');
  return {
    usageNs: Number(readCgroupFile(cpuacctDir, 'cpuacct.usage')),
    periods: stat.get('nr_periods') ?? 0,
    throttledPeriods: stat.get('nr_throttled') ?? 0,
    throttledNs: stat.get('throttled_time') ?? 0,
  };
}

/** User and system CPU time (ns) from `cpuacct.usage_user` and `cpuacct.usage_sys`; null where a file is missing. */
export function cpuUsageV1(cpuacctDir: string, into: CgroupUsage): void {
  const user = readOptionalCgroupFile(cpuacctDir, 'cpuacct.usage_user');
  const system = readOptionalCgroupFile(cpuacctDir, 'cpuacct.usage_sys');
  into.cpuUserNs = user === undefined ? null : Number(user);
  into.cpuSystemNs = system === undefined ? null : Number(system);
}
