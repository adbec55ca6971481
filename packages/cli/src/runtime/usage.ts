// usage.ts — what a container used, for run()/spawn()'s result and `ctr run --report`: wall time measured by
// the caller, CPU time and the memory and process peaks from the container's cgroup (@ctr/cgroups usage()).
// Read once every process is gone (the shim reports the end only after the whole PID namespace died, so the
// figures are final) and before removal destroys the group, which takes the figures with it.
import { containerCgroup } from './limits.js';
import type { ContainerState, ExitRecord } from './state.js';

/** null where the kernel keeps no such figure (never estimated); see @ctr/cgroups CgroupUsage for the files. */
export interface ContainerUsage {
  /** from the start of the command to the end of its last process */
  wallMs: number;
  cpuUserMs: number | null;
  cpuSystemMs: number | null;
  /** highest memory charge of the container (page cache included, as the cgroup counts it) */
  memoryPeakBytes: number | null;
  /** most processes and threads at once */
  pidsPeak: number | null;
}

// milliseconds to the microsecond: finer digits would only be noise of the conversion
const toMs = (ns: number): number => Math.round(ns / 1e3) / 1e3;

// The epoch at hrtime 0, from Date.now() (whole ms, rounded down: a wall time read against it is at most 1 ms
// long, never short). Not perf_hooks' timeOrigin: loading perf_hooks is 11 internal modules, ~1.5 ms of every
// `ctr run`, while process.hrtime is part of Node's bootstrap.
const epochAtHrtimeZero = Date.now() - Number(process.hrtime.bigint()) / 1e6;

/** Now, in ms since the epoch (microsecond steps, within 1 ms): the clock the shim's `finishedAt` is read on. */
export const epochNow = (): number => epochAtHrtimeZero + Number(process.hrtime.bigint()) / 1e6;

/** `finishedAt` of exit.json (CLOCK_REALTIME to the ns, "…T12:00:00.123456789Z") in ms since the epoch. */
function epochMsOf(iso: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(iso);
  return m ? Date.parse(`${m[1]}Z`) + Number(`0${m[2] ?? ''}`) * 1000 : undefined;
}

/**
 * Reads the usage of a stopped container whose cgroup still exists; throws when it cannot be read. The wall
 * time ends when the shim reaped PID 1 (its `finishedAt`), not when this process got to hear of it: an event
 * loop busy starting other containers may learn of an exit late, which must not count against the program.
 */
export function containerUsage(state: ContainerState, startedAt: number, exit: ExitRecord | undefined): ContainerUsage {
  const figures = containerCgroup(state)?.usage();
  const end = (exit && epochMsOf(exit.finishedAt)) ?? epochNow();
  return {
    wallMs: Math.max(0, Math.round((end - startedAt) * 1e3) / 1e3),
    cpuUserMs: figures?.cpuUserNs == null ? null : toMs(figures.cpuUserNs),
    cpuSystemMs: figures?.cpuSystemNs == null ? null : toMs(figures.cpuSystemNs),
    memoryPeakBytes: figures?.memoryPeakBytes ?? null,
    pidsPeak: figures?.pidsPeak ?? null,
  };
}
