// v1/memory.ts — cgroup v1 `memory` controller: limit, memory+swap limit, usage, OOM kills.
// Documentation/admin-guide/cgroup-v1/memory.rst. `memory.memsw.*` exists only with swap accounting
// (CONFIG_MEMCG_SWAP, swapaccount=1); the `oom_kill` line of memory.oom_control since Linux 4.13.
import { CgroupError } from '../errors.js';
import { hasCgroupFile, readCgroupFile, readKeyedFile, writeCgroupFile } from '../fs.js';
import { memoryV1Value, v1MemoryWriteOrder, type CgroupLimits } from '../limits.js';
import type { CgroupStats, CgroupUsage, OomWatch } from '../manager.js';

const LIMIT = 'memory.limit_in_bytes';
const MEMSW = 'memory.memsw.limit_in_bytes';

/** How often watchOom re-reads memory.oom_control (v1 files raise no inotify event). */
export const OOM_POLL_MS = 100;

// "Unlimited" reads back as PAGE_COUNTER_MAX × page size (9223372036854771712 with 4 KiB pages), not as
// -1; anything from 2^62 up cannot be a real limit.
const UNLIMITED_FROM = 2n ** 62n;

/** Parses a v1 byte limit; null = unlimited. */
export function parseV1Limit(text: string): number | null {
  return BigInt(text) >= UNLIMITED_FROM ? null : Number(text);
}

/**
 * Writes `memory.limit_in_bytes` and `memory.memsw.limit_in_bytes` in the order the kernel accepts
 * (see v1MemoryWriteOrder). Unlimited memory with swap left out also lifts the memsw limit, as runc does:
 * otherwise an old memsw limit would still cap the group.
 */
export function applyMemoryV1(dir: string, limits: CgroupLimits): void {
  const { memory } = limits;
  // the soft limit is only a reclaim target under pressure; unlike the hard limits it has no ordering rule
  if (limits.memoryReservation !== undefined) writeCgroupFile(dir, 'memory.soft_limit_in_bytes', memoryV1Value(limits.memoryReservation));
  const hasSwap = hasCgroupFile(dir, MEMSW);
  const memorySwap = limits.memorySwap ?? (memory === -1 && hasSwap ? -1 : undefined);
  if (memorySwap !== undefined && !hasSwap) {
    throw new CgroupError(`set memorySwap: \`${MEMSW}\` missing in ${dir} (kernel without swap accounting, boot with swapaccount=1)`, {
      code: 'UNSUPPORTED', path: dir, value: String(memorySwap),
    });
  }
  if (memory === undefined) {
    if (memorySwap !== undefined) writeCgroupFile(dir, MEMSW, memoryV1Value(memorySwap));
    return;
  }
  if (memorySwap === undefined) {
    writeCgroupFile(dir, LIMIT, memoryV1Value(memory));
    return;
  }
  const current = parseV1Limit(readCgroupFile(dir, LIMIT)) ?? Infinity;
  for (const which of v1MemoryWriteOrder(current, memorySwap)) {
    if (which === 'memsw') writeCgroupFile(dir, MEMSW, memoryV1Value(memorySwap));
    else writeCgroupFile(dir, LIMIT, memoryV1Value(memory));
  }
}

/** The `oom_kill` counter of memory.oom_control. */
export function oomKillsV1(dir: string): number {
  return readKeyedFile(dir, 'memory.oom_control').get('oom_kill') ?? 0;
}

/** Usage, peak (`max_usage_in_bytes`), limit and OOM kills. */
export function memoryStatsV1(dir: string): NonNullable<CgroupStats['memory']> {
  return {
    current: Number(readCgroupFile(dir, 'memory.usage_in_bytes')),
    peak: Number(readCgroupFile(dir, 'memory.max_usage_in_bytes')),
    limit: parseV1Limit(readCgroupFile(dir, LIMIT)),
    oomKills: oomKillsV1(dir),
  };
}

/** The highest charge of the group's life, `memory.max_usage_in_bytes` (it resets only when written to). */
export function memoryUsageV1(dir: string, into: CgroupUsage): void {
  into.memoryPeakBytes = Number(readCgroupFile(dir, 'memory.max_usage_in_bytes'));
}

/**
 * Polls the OOM kill counter. cgroup v1 has no inotify on its files; its own notification API
 * (eventfd(2) registered through cgroup.event_control) needs an eventfd, which Node cannot create
 * without native code, and a 100 ms poll of one small file costs next to nothing. The poll stops by
 * itself once the group is gone.
 */
export function pollOomKillsV1(dir: string, onOomKill: (total: number) => void): OomWatch {
  let last = oomKillsV1(dir);
  const timer = setInterval(() => {
    let total: number;
    try {
      total = oomKillsV1(dir);
    } catch {
      clearInterval(timer);
      return;
    }
    if (total > last) {
      last = total;
      onOomKill(total);
    }
  }, OOM_POLL_MS);
  return { close: () => clearInterval(timer) };
}
