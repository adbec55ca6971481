// usage.ts — what a container used, for run()/spawn()'s result and `ctr run --report`: wall time measured by
// the caller, CPU time and the memory and process peaks from the container's cgroup (@ctr/cgroups usage()).
// Read once every process is gone (the shim reports the end only after the whole PID namespace died, so the
// figures are final) and before removal destroys the group, which takes the figures with it.
import { containerCgroup } from './limits.js';
import type { ContainerState } from './state.js';

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

/** Reads the usage of a stopped container whose cgroup still exists; throws when it cannot be read. */
export function containerUsage(state: ContainerState, wallMs: number): ContainerUsage {
  const figures = containerCgroup(state)?.usage();
  return {
    wallMs: Math.round(wallMs * 1e3) / 1e3,
    cpuUserMs: figures?.cpuUserNs == null ? null : toMs(figures.cpuUserNs),
    cpuSystemMs: figures?.cpuSystemNs == null ? null : toMs(figures.cpuSystemNs),
    memoryPeakBytes: figures?.memoryPeakBytes ?? null,
    pidsPeak: figures?.pidsPeak ?? null,
  };
}
