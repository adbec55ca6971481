// v1/backend.ts — the cgroup v1 part of a group: one directory per hierarchy (cpu, cpuacct, memory, pids
// may each be a separate mount), a process joins by being written to `cgroup.procs` in every one.
// Documentation/admin-guide/cgroup-v1/cgroups.rst.
import { CgroupError } from '../errors.js';
import { closeCgroupFds, makeGroup, openCgroupFile, writeCgroupFile } from '../fs.js';
import type { CgroupLimits } from '../limits.js';
import type { Backend, CgroupStats, CgroupUsage, Controller, OomWatch } from '../manager.js';
import { applyPids, pidsStats, pidsUsage } from '../pids.js';
import { applyCpuV1, cpuStatsV1, cpuUsageV1 } from './cpu.js';
import { applyDevicesV1 } from './devices.js';
import { applyCpuset, inheritCpusetV1 } from '../cpuset.js';
import { freezeV1, frozenV1 } from '../freezer.js';
import { applyMemoryV1, memoryStatsV1, memoryUsageV1, oomKillsV1, pollOomKillsV1 } from './memory.js';

/** Group directory per v1 kernel controller; `cpu` needs `cpuacct` too. */
export type V1Paths = Partial<Record<'cpu' | 'cpuacct' | 'memory' | 'pids' | 'devices' | 'freezer' | 'cpuset', string>>;

export class V1Backend implements Backend {
  readonly dirs: readonly string[];

  /**
   * @param cpusetMount where the cpuset hierarchy is mounted, when `controllers` has cpuset: the levels
   *                    created below it get their parent's CPU and memory-node lists (see cpuset.ts)
   */
  constructor(
    readonly paths: Readonly<V1Paths>,
    readonly controllers: readonly Controller[],
    private readonly cpusetMount?: string,
  ) {
    this.dirs = [...new Set(Object.values(paths))];
  }

  private dir(name: keyof V1Paths): string {
    const dir = this.paths[name];
    if (dir === undefined) throw new CgroupError(`controller ${name} is not managed by this group`, { code: 'NO_CONTROLLER' });
    return dir;
  }

  create(): void {
    for (const dir of this.dirs) makeGroup(dir);
    if (this.cpusetMount !== undefined) inheritCpusetV1(this.cpusetMount, this.dir('cpuset'));
  }

  apply(limits: CgroupLimits): void {
    if (this.controllers.includes('cpu')) applyCpuV1(this.dir('cpu'), limits);
    if (this.controllers.includes('memory')) applyMemoryV1(this.dir('memory'), limits);
    if (this.controllers.includes('pids')) applyPids(this.dir('pids'), limits);
    if (this.controllers.includes('devices')) applyDevicesV1(this.dir('devices'), limits);
    if (this.controllers.includes('cpuset')) applyCpuset(this.dir('cpuset'), limits);
  }

  addProcess(pid: number): void {
    for (const dir of this.dirs) writeCgroupFile(dir, 'cgroup.procs', String(pid));
  }

  // `tasks`, not `cgroup.procs`: a write of "0" there moves only the writing thread, without the global
  // threadgroup lock; the joining process is single-threaded, so that is all of it.
  openJoin(): { taskFds: number[] } {
    const taskFds: number[] = [];
    try {
      for (const dir of this.dirs) taskFds.push(openCgroupFile(dir, 'tasks'));
    } catch (error) {
      closeCgroupFds(taskFds);
      throw error;
    }
    return { taskFds };
  }

  stats(into: CgroupStats): void {
    if (this.controllers.includes('cpu')) into.cpu = cpuStatsV1(this.dir('cpu'), this.dir('cpuacct'));
    if (this.controllers.includes('memory')) into.memory = memoryStatsV1(this.dir('memory'));
    if (this.controllers.includes('pids')) into.pids = pidsStats(this.dir('pids'));
  }

  usage(into: CgroupUsage): void {
    if (this.controllers.includes('cpu')) cpuUsageV1(this.dir('cpuacct'), into);
    if (this.controllers.includes('memory')) memoryUsageV1(this.dir('memory'), into);
    if (this.controllers.includes('pids')) pidsUsage(this.dir('pids'), into);
  }

  oomKills(): number {
    return oomKillsV1(this.dir('memory'));
  }

  watchOom(onOomKill: (total: number) => void): OomWatch {
    return pollOomKillsV1(this.dir('memory'), onOomKill);
  }

  // v1 has no cgroup.kill; the manager signals each task instead
  killAtOnce(): boolean {
    return false;
  }

  freeze(frozen: boolean): void {
    freezeV1(this.dir('freezer'), frozen);
  }

  frozen(): boolean {
    return frozenV1(this.dir('freezer'));
  }
}
