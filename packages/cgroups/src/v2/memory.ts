// v2/memory.ts — cgroup v2 `memory` controller: `memory.max`, `memory.swap.max` (swap alone, unlike v1's
// memory+swap), usage, peak (Linux ≥ 5.19) and `memory.events`. cgroup-v2.rst "Memory". The OOM count is
// `oom_kill`, not `oom`: `oom` is charged to the group whose limit was hit, which need not be this leaf
// (containerd PR #6323).
import { CgroupError } from '../errors.js';
import {
  hasCgroupFile, readCgroupFile, readKeyedFile, readMaxNumber, readOptionalCgroupFile, watchCgroupFile, writeCgroupFile,
} from '../fs.js';
import { memoryV2Value, swapV1ToV2, type CgroupLimits } from '../limits.js';
import type { CgroupStats, CgroupUsage, OomWatch } from '../manager.js';

const SWAP = 'memory.swap.max';

/**
 * Writes `memory.max` and `memory.swap.max` (= memorySwap − memory). Unlimited memory with swap left out
 * also lifts the swap limit, for the same reason as on v1.
 */
export function applyMemoryV2(dir: string, limits: CgroupLimits): void {
  const { memory } = limits;
  // memory.low: best-effort protection, what docker's --memory-reservation and runc map a reservation to
  if (limits.memoryReservation !== undefined) writeCgroupFile(dir, 'memory.low', memoryV2Value(limits.memoryReservation));
  const memorySwap = limits.memorySwap ?? (memory === -1 && hasCgroupFile(dir, SWAP) ? -1 : undefined);
  if (memory !== undefined) writeCgroupFile(dir, 'memory.max', memoryV2Value(memory));
  if (memorySwap === undefined) return;
  if (!hasCgroupFile(dir, SWAP)) {
    throw new CgroupError(`set memorySwap: \`${SWAP}\` missing in ${dir} (kernel without swap accounting)`, {
      code: 'UNSUPPORTED', path: dir, value: String(memorySwap),
    });
  }
  writeCgroupFile(dir, SWAP, swapV1ToV2(memorySwap, memory === -1 ? undefined : memory));
}

/** The `oom_kill` counter of memory.events. */
export function oomKillsV2(dir: string): number {
  return readKeyedFile(dir, 'memory.events').get('oom_kill') ?? 0;
}

/** Usage, peak, limit and OOM kills. */
export function memoryStatsV2(dir: string): NonNullable<CgroupStats['memory']> {
  const peak = readOptionalCgroupFile(dir, 'memory.peak');
  return {
    current: Number(readCgroupFile(dir, 'memory.current')),
    peak: peak === undefined ? null : Number(peak),
    limit: readMaxNumber(dir, 'memory.max'),
    oomKills: oomKillsV2(dir),
  };
}

/** The highest charge of the group's life, `memory.peak`; null before Linux 5.19, which has no such file. */
export function memoryUsageV2(dir: string, into: CgroupUsage): void {
  const peak = readOptionalCgroupFile(dir, 'memory.peak');
  into.memoryPeakBytes = peak === undefined ? null : Number(peak);
}

/** Watches memory.events with inotify (the kernel notifies on every counter change) for new OOM kills. */
export function watchOomKillsV2(dir: string, onOomKill: (total: number) => void): OomWatch {
  let last = oomKillsV2(dir);
  return watchCgroupFile(dir, 'memory.events', () => {
    let total: number;
    try {
      total = oomKillsV2(dir);
    } catch {
      return; // the group is being removed; the watch's own error ends it
    }
    if (total > last) {
      last = total;
      onOomKill(total);
    }
  });
}
