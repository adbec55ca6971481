// pids.ts — the pids controller, whose files are identical in cgroup v1 and v2: `pids.max` (a number or
// "max"), `pids.current` and, on recent kernels only, `pids.peak`. Documentation/admin-guide/cgroup-v1/pids.rst; available since Linux 4.3.
import { readCgroupFile, readMaxNumber, readOptionalCgroupFile, writeCgroupFile } from './fs.js';
import { pidsLimitValue, type CgroupLimits } from './limits.js';
import type { CgroupStats, CgroupUsage } from './manager.js';

/** Writes `pids.max` when limits.pids is set. */
export function applyPids(dir: string, limits: CgroupLimits): void {
  if (limits.pids !== undefined) writeCgroupFile(dir, 'pids.max', pidsLimitValue(limits.pids));
}

/** Current task count and limit. */
export function pidsStats(dir: string): NonNullable<CgroupStats['pids']> {
  return { current: Number(readCgroupFile(dir, 'pids.current')), limit: readMaxNumber(dir, 'pids.max') };
}

/** The most tasks the group held at once, `pids.peak`; null on kernels without that file. */
export function pidsUsage(dir: string, into: CgroupUsage): void {
  const peak = readOptionalCgroupFile(dir, 'pids.peak');
  into.pidsPeak = peak === undefined ? null : Number(peak);
}
