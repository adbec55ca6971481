// v2/backend.ts — the cgroup v2 part of a group: one directory in the unified hierarchy for all
// controllers. cgroup-v2.rst; `cgroup.kill` since Linux 5.14.
import { freezeV2, frozenV2 } from '../freezer.js';
import { CgroupError, isCgroupError } from '../errors.js';
import { hasCgroupFile, openGroupDir, writeCgroupFile } from '../fs.js';
import type { CgroupLimits } from '../limits.js';
import type { Backend, CgroupStats, CgroupUsage, Controller, OomWatch } from '../manager.js';
import { applyPids, pidsStats, pidsUsage } from '../pids.js';
import { applyCpuV2, cpuStatsV2, cpuUsageV2 } from './cpu.js';
import { createDelegated } from './delegate.js';
import { applyDevicesV2 } from './devices.js';
import { applyCpuset } from '../cpuset.js';
import { applyMemoryV2, memoryStatsV2, memoryUsageV2, oomKillsV2, watchOomKillsV2 } from './memory.js';

export class V2Backend implements Backend {
  readonly dirs: readonly string[];
  readonly paths: Readonly<Record<string, string>>;

  /**
   * @param mountpoint where the cgroup2 hierarchy is mounted (the root group)
   * @param dir        the group's directory below it
   */
  constructor(
    private readonly mountpoint: string,
    private readonly dir: string,
    readonly controllers: readonly Controller[],
  ) {
    this.dirs = [dir];
    this.paths = Object.fromEntries(controllers.map((c) => [c, dir]));
  }

  create(): void {
    // devices is an eBPF program on v2 and freezing a core file (cgroup.freeze), not controllers to enable
    createDelegated(this.mountpoint, this.dir, this.controllers.filter((c) => c !== 'devices' && c !== 'freezer'));
  }

  apply(limits: CgroupLimits): void {
    if (this.controllers.includes('cpu')) applyCpuV2(this.dir, limits);
    if (this.controllers.includes('memory')) applyMemoryV2(this.dir, limits);
    if (this.controllers.includes('pids')) applyPids(this.dir, limits);
    if (this.controllers.includes('devices')) applyDevicesV2(this.dir, limits);
    if (this.controllers.includes('cpuset')) applyCpuset(this.dir, limits);
  }

  addProcess(pid: number): void {
    try {
      writeCgroupFile(this.dir, 'cgroup.procs', String(pid));
    } catch (error) {
      if (!isCgroupError(error) || error.code !== 'EBUSY') throw error;
      throw new CgroupError(
        `write \`cgroup.procs\` in ${this.dir}: EBUSY (value '${pid}'): the group delegates controllers to child groups, ` +
          'and cgroup v2 allows processes only in leaves',
        { code: 'EBUSY', errno: error.errno, syscall: 'write', path: error.path, value: String(pid), cause: error },
      );
    }
  }

  openJoin(): { cgroupFd: number } {
    return { cgroupFd: openGroupDir(this.dir) };
  }

  stats(into: CgroupStats): void {
    // cpu.stat exists in every group; the throttling lines only once the cpu controller is enabled
    if (this.controllers.includes('cpu')) into.cpu = cpuStatsV2(this.dir);
    if (this.controllers.includes('memory')) into.memory = memoryStatsV2(this.dir);
    if (this.controllers.includes('pids')) into.pids = pidsStats(this.dir);
  }

  usage(into: CgroupUsage): void {
    if (this.controllers.includes('cpu')) cpuUsageV2(this.dir, into);
    if (this.controllers.includes('memory')) memoryUsageV2(this.dir, into);
    if (this.controllers.includes('pids')) pidsUsage(this.dir, into);
  }

  oomKills(): number {
    this.requireMemory();
    return oomKillsV2(this.dir);
  }

  watchOom(onOomKill: (total: number) => void): OomWatch {
    this.requireMemory();
    return watchOomKillsV2(this.dir, onOomKill);
  }

  killAtOnce(): boolean {
    if (!hasCgroupFile(this.dir, 'cgroup.kill')) return false;
    writeCgroupFile(this.dir, 'cgroup.kill', '1');
    return true;
  }

  freeze(frozen: boolean): void {
    freezeV2(this.dir, frozen);
  }

  frozen(): boolean {
    return frozenV2(this.dir);
  }

  private requireMemory(): void {
    if (!this.controllers.includes('memory')) {
      throw new CgroupError('controller memory is not managed by this group', { code: 'NO_CONTROLLER' });
    }
  }
}
