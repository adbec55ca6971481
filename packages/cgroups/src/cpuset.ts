// cpuset.ts — the `cpuset` controller: which CPUs (cpuset.cpus) and memory nodes (cpuset.mems) a group may
// use. cgroup-v1/cpusets.rst: a new v1 cpuset group starts with both lists EMPTY (unless its parent has
// cgroup.clone_children set), and the kernel refuses to move a task into it (ENOSPC), so every level we
// create is first given its parent's lists, top-down. cgroup-v2.rst "Cpuset": an empty list there means
// "inherit the parent's effective list", so v2 only writes what was asked.
import * as path from 'node:path';
import { readCgroupFile, writeCgroupFile } from './fs.js';
import type { CgroupLimits } from './limits.js';

const LISTS = ['cpuset.cpus', 'cpuset.mems'] as const;

/**
 * Gives `dir` and every ancestor below `mountpoint` that still has empty lists the lists of its parent,
 * from the top down (a child's lists must be a subset of its parent's, so the parent is filled first).
 */
export function inheritCpusetV1(mountpoint: string, dir: string): void {
  const steps = path.relative(mountpoint, dir).split(path.sep).filter(Boolean);
  let parent = mountpoint;
  for (const step of steps) {
    const child = path.join(parent, step);
    for (const file of LISTS) {
      if (readCgroupFile(child, file) === '') writeCgroupFile(child, file, readCgroupFile(parent, file));
    }
    parent = child;
  }
}

/** Writes the requested lists; absent ones stay as inherited. */
export function applyCpuset(dir: string, limits: CgroupLimits): void {
  if (limits.cpusetCpus !== undefined) writeCgroupFile(dir, 'cpuset.cpus', limits.cpusetCpus);
  if (limits.cpusetMems !== undefined) writeCgroupFile(dir, 'cpuset.mems', limits.cpusetMems);
}
