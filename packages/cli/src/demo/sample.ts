// sample.ts — periodic readings of a running container's cgroup, the same files `ctr stats` reads (through
// @ctr/cgroups, so v1, v2 and hybrid alike): CPU time as cores (CPU seconds per wall second between two
// readings) and memory in use. These are the measured points the page's charts draw.
import { containerCgroup } from '../runtime/limits.js';
import type { ContainerState } from '../runtime/state.js';

export interface Sampler {
  /** stops sampling; [seconds since start, value] */
  stop(): [number, number][];
}

/** Reads `read` every `everyMs` until stopped; readings that fail (the group is being removed) are left out. */
function every(everyMs: number, read: () => number | undefined): Sampler {
  const t0 = process.hrtime.bigint();
  const points: [number, number][] = [];
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    const value = read();
    if (value === undefined) return;
    points.push([Number(process.hrtime.bigint() - t0) / 1e9, value]);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      return points;
    },
  };
}

/** Cores used between consecutive readings of the cgroup's CPU time. */
export function sampleCores(state: ContainerState, everyMs: number): Sampler {
  const cgroup = containerCgroup(state);
  let last: { ns: number; at: bigint } | undefined;
  return every(everyMs, () => {
    try {
      const ns = cgroup?.stats().cpu?.usageNs;
      if (ns === undefined) return undefined;
      const at = process.hrtime.bigint();
      const previous = last;
      last = { ns, at };
      return previous ? (ns - previous.ns) / Number(at - previous.at) : undefined;
    } catch {
      return undefined;
    }
  });
}

/** Bytes of memory charged to the cgroup. */
export function sampleMemory(state: ContainerState, everyMs: number): Sampler {
  const cgroup = containerCgroup(state);
  return every(everyMs, () => {
    try {
      return cgroup?.stats().memory?.current;
    } catch {
      return undefined;
    }
  });
}
