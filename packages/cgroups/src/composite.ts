// composite.ts — the CgroupManager callers get: it drives one backend per cgroup version in use (v1, v2,
// or both in hybrid mode) and owns what is version-neutral: validation, killing and removal.
// kill(2) for the per-task signalling; cgroup-v2.rst "cgroup.kill" for the at-once path.
import { CgroupError } from './errors.js';
import { closeCgroupFds, readProcs, removeGroup } from './fs.js';
import type { CgroupLimits } from './limits.js';
import type { Backend, CgroupJoin, CgroupManager, CgroupStats, CgroupUsage, Controller, OomWatch } from './manager.js';
import { validateLimits } from './validate.js';

/** How long killAll('SIGKILL') waits for the group to empty before failing with NOT_EMPTY. */
export const KILL_TIMEOUT_MS = 5000;
const KILL_POLL_MS = 10;

const OWNER: Record<keyof CgroupLimits, Controller> = {
  cpus: 'cpu', cpuPeriod: 'cpu', cpuShares: 'cpu', cpuWeight: 'cpu', cpusetCpus: 'cpuset', cpusetMems: 'cpuset',
  memory: 'memory', memorySwap: 'memory', memoryReservation: 'memory', pids: 'pids', devices: 'devices',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ESRCH') return; // exited between reading cgroup.procs and now
    throw new CgroupError(`kill ${pid} with ${sig}: ${e.code}`, {
      code: e.code ?? 'EIO', ...(e.errno !== undefined && { errno: e.errno }), syscall: 'kill', value: sig, cause: error,
    });
  }
}

export class CompositeManager implements CgroupManager {
  readonly paths: Readonly<Record<string, string>>;
  private readonly dirs: readonly string[];

  constructor(private readonly backends: readonly Backend[]) {
    this.paths = Object.assign({}, ...backends.map((b) => b.paths));
    this.dirs = [...new Set(backends.flatMap((b) => b.dirs))];
  }

  create(): void {
    for (const backend of this.backends) backend.create();
  }

  apply(limits: CgroupLimits): void {
    validateLimits(limits);
    for (const [field, controller] of Object.entries(OWNER)) {
      if (limits[field as keyof CgroupLimits] !== undefined && !this.backends.some((b) => b.controllers.includes(controller))) {
        throw new CgroupError(`limit ${field} needs controller ${controller}, which this group does not manage`, { code: 'NO_CONTROLLER' });
      }
    }
    for (const backend of this.backends) backend.apply(limits);
  }

  addProcess(pid: number): void {
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      throw new CgroupError(`invalid pid ${pid}`, { code: 'INVALID_PID', value: String(pid) });
    }
    for (const backend of this.backends) backend.addProcess(pid);
  }

  openJoin(): CgroupJoin {
    const taskFds: number[] = [];
    let cgroupFd: number | undefined;
    const close = () => closeCgroupFds(cgroupFd === undefined ? taskFds : [...taskFds, cgroupFd]);
    try {
      for (const backend of this.backends) {
        const fds = backend.openJoin();
        taskFds.push(...(fds.taskFds ?? []));
        cgroupFd ??= fds.cgroupFd;
      }
    } catch (error) {
      close();
      throw error;
    }
    return { taskFds, ...(cgroupFd !== undefined ? { cgroupFd } : {}), close };
  }

  pids(): number[] {
    return [...new Set(this.dirs.flatMap(readProcs))];
  }

  stats(): CgroupStats {
    const stats: CgroupStats = {};
    for (const backend of this.backends) backend.stats(stats);
    return stats;
  }

  usage(): CgroupUsage {
    const usage: CgroupUsage = { cpuUserNs: null, cpuSystemNs: null, memoryPeakBytes: null, pidsPeak: null };
    for (const backend of this.backends) backend.usage(usage);
    return usage;
  }

  oomKills(): number {
    return this.memoryBackend().oomKills();
  }

  watchOom(onOomKill: (total: number) => void): OomWatch {
    return this.memoryBackend().watchOom(onOomKill);
  }

  async killAll(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (sig !== 'SIGKILL') {
      for (const pid of this.pids()) signal(pid, sig);
      return;
    }
    // Without cgroup.kill (v1, v2 before 5.14) a task can fork between our read of cgroup.procs and its
    // SIGKILL, so rounds repeat until the group is empty; pids.max bounds how many a fork loop can add.
    const atOnce = this.backends.some((b) => b.killAtOnce());
    const deadline = Date.now() + KILL_TIMEOUT_MS;
    for (;;) {
      const pids = this.pids();
      if (pids.length === 0) return;
      if (Date.now() > deadline) {
        throw new CgroupError(`processes ${pids.join(' ')} still in ${this.dirs.join(', ')} after ${KILL_TIMEOUT_MS} ms of SIGKILL`, {
          code: 'NOT_EMPTY', path: this.dirs[0],
        });
      }
      if (!atOnce) for (const pid of pids) signal(pid, 'SIGKILL');
      await sleep(KILL_POLL_MS);
    }
  }

  async destroy(): Promise<void> {
    if (this.pids().length > 0) await this.killAll('SIGKILL');
    for (const dir of this.dirs) await removeGroup(dir);
  }

  freeze(frozen: boolean): void {
    this.freezerBackend().freeze(frozen);
  }

  frozen(): boolean {
    return this.freezerBackend().frozen();
  }

  private freezerBackend(): Backend {
    const backend = this.backends.find((b) => b.controllers.includes('freezer'));
    if (!backend) throw new CgroupError('controller freezer is not managed by this group', { code: 'NO_CONTROLLER' });
    return backend;
  }

  private memoryBackend(): Backend {
    const backend = this.backends.find((b) => b.controllers.includes('memory'));
    if (!backend) throw new CgroupError('controller memory is not managed by this group', { code: 'NO_CONTROLLER' });
    return backend;
  }
}
