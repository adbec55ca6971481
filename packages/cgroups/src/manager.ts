// manager.ts — the CgroupManager interface every caller uses, whatever the cgroup version, and the
// Backend contract the v1 and v2 implementations fulfil. Modelled on runc's cgroups.Manager
// (opencontainers/cgroups cgroups.go); semantics per cgroups(7) and Documentation/admin-guide/cgroup-v2.rst.
import type { CgroupLimits } from './limits.js';

/**
 * Controllers this package manages. On cgroup v1, `cpu` also covers the separate `cpuacct` hierarchy.
 * `devices` is the v1 controller on v1 and hybrid hosts where it is mounted, else a v2 eBPF program (v2 has
 * no devices controller): either way the group's device rules, `limits.devices`. `freezer` likewise is the v1
 * controller or v2's cgroup.freeze, which every non-root v2 group has: `freeze()`.
 */
export type Controller = 'cpu' | 'memory' | 'pids' | 'devices' | 'freezer' | 'cpuset';

/** The default set: what a group manages when the caller does not choose. */
export const ALL_CONTROLLERS: readonly Controller[] = ['cpu', 'memory', 'pids'];

/** Everything a container's group needs, its device rules included. */
export const CONTAINER_CONTROLLERS: readonly Controller[] = [...ALL_CONTROLLERS, 'devices'];

/** Usage figures of one group; a section is absent when its controller is not managed. */
export interface CgroupStats {
  cpu?: {
    /** CPU time consumed by every task of the group, in nanoseconds */
    usageNs: number;
    /** CFS periods elapsed while a quota was set */
    periods: number;
    /** periods in which the group was throttled */
    throttledPeriods: number;
    /** total time spent throttled, in nanoseconds */
    throttledNs: number;
  };
  memory?: {
    /** bytes charged now (v1 usage_in_bytes includes page cache, as does v2 memory.current) */
    current: number;
    /** highest `current` seen; null when the kernel has no peak file (v2 before 5.19) */
    peak: number | null;
    /** the limit in bytes; null = unlimited */
    limit: number | null;
    /** processes the kernel OOM killer killed in this group */
    oomKills: number;
  };
  pids?: {
    current: number;
    /** null = unlimited */
    limit: number | null;
  };
}

/**
 * What the tasks of a group used over its whole life, for a report once they are done (read it before
 * `destroy()`: the figures go with the group). A figure is null when the kernel has no file for it or its
 * controller is not managed — it is never estimated.
 */
export interface CgroupUsage {
  /**
   * CPU time in user mode, ns: v1 `cpuacct.usage_user` (Linux 4.7 and later), v2 cpu.stat `user_usec`. The kernel
   * splits user from system time by tick sampling, so the two are as fine as the scheduler tick (1–10 ms).
   */
  cpuUserNs: number | null;
  /** CPU time in kernel mode, ns: v1 `cpuacct.usage_sys`, v2 cpu.stat `system_usec` */
  cpuSystemNs: number | null;
  /** highest memory charge, bytes: v1 `memory.max_usage_in_bytes`; v2 `memory.peak` (Linux 5.19 and later) */
  memoryPeakBytes: number | null;
  /** most tasks (threads included) the group held at once: `pids.peak`, v1 and v2, on recent kernels only */
  pidsPeak: number | null;
}

/** A running OOM watch; close() stops it (it keeps the event loop alive until then). */
export interface OomWatch {
  close(): void;
}

/**
 * What a new process needs to enter the group by itself as it is created, instead of its parent moving it
 * with `addProcess`. A parent writing a PID to `cgroup.procs` takes the kernel's global threadgroup rwsem for
 * writing, which waits for an RCU grace period (milliseconds, more under load); a single-threaded process
 * writing "0" to a v1 `tasks` file moves only itself and skips that lock (cgroup_procs_write_start), and
 * clone3's CLONE_INTO_CGROUP (v2) creates the process in the group with no migration at all.
 */
export interface CgroupJoin {
  /** v1: `tasks` of each hierarchy, opened for writing; the new single-threaded process writes "0" to each */
  readonly taskFds: readonly number[];
  /** v2: the group's directory, for CLONE_INTO_CGROUP; absent when no controller lives in the v2 hierarchy */
  readonly cgroupFd?: number;
  /** closes the fds (the process that used them holds its own copies) */
  close(): void;
}

/** One container's cgroup, across every hierarchy its controllers live in. */
export interface CgroupManager {
  /** directory of the group per kernel controller (v1: cpu, cpuacct, memory, pids, devices; v2: one directory) */
  readonly paths: Readonly<Record<string, string>>;
  /** Creates the group (and missing ancestors; on v2 enables the controllers top-down). Idempotent. */
  create(): void;
  /** Validates then writes the given limits; fields left out are not touched. */
  apply(limits: CgroupLimits): void;
  /** Moves a process (all its threads) into the group in every hierarchy. */
  addProcess(pid: number): void;
  /** Opens what a process about to be created needs to join the group itself (see CgroupJoin). */
  openJoin(): CgroupJoin;
  /** PIDs in the group (thread-group leaders), in this process's PID namespace. */
  pids(): number[];
  /** Current usage and limits. */
  stats(): CgroupStats;
  /** What the group's tasks used so far (CPU time, memory and pids peaks); see CgroupUsage. */
  usage(): CgroupUsage;
  /** How many processes of the group the OOM killer has killed so far. */
  oomKills(): number;
  /** Calls `onOomKill(total)` each time the OOM kill counter grows. */
  watchOom(onOomKill: (total: number) => void): OomWatch;
  /**
   * Sends `signal` to every process of the group. With SIGKILL (the default) it resolves only once the
   * group is empty, catching processes forked meanwhile; other signals are sent once.
   */
  killAll(signal?: NodeJS.Signals): Promise<void>;
  /** Kills what is left, waits until empty and removes the group from every hierarchy. Idempotent. */
  destroy(): Promise<void>;
  /** Stops (true) or resumes (false) every task of the group; returns once the kernel is done. Needs `freezer`. */
  freeze(frozen: boolean): void;
  /** Whether the group is frozen. Needs `freezer`. */
  frozen(): boolean;
}

/** What a per-version backend provides to the manager: the part of the group in one cgroup version. */
export interface Backend {
  readonly paths: Readonly<Record<string, string>>;
  /** distinct group directories (v1: one per hierarchy) */
  readonly dirs: readonly string[];
  readonly controllers: readonly Controller[];
  create(): void;
  apply(limits: CgroupLimits): void;
  addProcess(pid: number): void;
  /** v1: one `tasks` fd per hierarchy; v2: the directory fd */
  openJoin(): { taskFds?: number[]; cgroupFd?: number };
  stats(into: CgroupStats): void;
  /** fills the figures of the controllers it manages */
  usage(into: CgroupUsage): void;
  oomKills(): number;
  watchOom(onOomKill: (total: number) => void): OomWatch;
  /** kills every task at once if the kernel can (v2 cgroup.kill); false when it cannot */
  killAtOnce(): boolean;
  freeze(frozen: boolean): void;
  frozen(): boolean;
}
