// factory.ts — createCgroupManager: detects the cgroup setup, decides per controller where the group lives
// and builds the v1 and/or v2 backend. By default groups go below the cgroup the calling process runs
// in, per hierarchy (read from /proc/self/cgroup, as runc does), so the caller's own limits and accounting
// still cover its containers — on v2 below that cgroup's parent (see selfParent). cgroups(7).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompositeManager } from './composite.js';
import { detectCgroupSetup, hierarchyDir, ownCgroupPath, parseProcCgroup, type CgroupHierarchy, type ProcCgroupEntry } from './detect.js';
import { CgroupError } from './errors.js';
import { ALL_CONTROLLERS, type Backend, type CgroupManager, type Controller } from './manager.js';
import { V1Backend, type V1Paths } from './v1/backend.js';
import { V2Backend } from './v2/backend.js';

export interface CgroupManagerOptions {
  /** the group, relative to the parent: 'ctr/<id>' */
  path: string;
  /** where cgroup filesystems are mounted; default /sys/fs/cgroup */
  root?: string;
  /**
   * 'self' (default): below the caller's own cgroup in each v1 hierarchy and below its parent in the v2 one
   * (the root stays the root); or an absolute cgroup path ('/')
   */
  parent?: 'self' | string;
  /** default cpu, memory, pids */
  controllers?: readonly Controller[];
  /** default /proc/self/mountinfo (fixtures in tests) */
  mountinfoPath?: string;
  /** default /proc/self/cgroup (fixtures in tests) */
  procCgroupPath?: string;
  /**
   * With parent 'self': the /proc/PID/cgroup text of the process the group was made for, when that is not the
   * caller. A supervisor that reopens a group another process created (to read stats or clean up after a
   * crash) must place it where that process's 'self' was, or it would look below its own cgroup instead.
   */
  procCgroupText?: string;
}

function checkGroupPath(p: string): void {
  const segments = p.split('/');
  if (p.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new CgroupError(`invalid cgroup path '${p}': expected a relative path like ctr/<id>, without '.' or '..'`, {
      code: 'INVALID_PATH', value: p,
    });
  }
}

/**
 * Where 'self' puts groups in `hierarchy`. On v1 the caller's own cgroup. On v2 its parent, as runc's fs2
 * driver does: the caller's cgroup holds at least the caller, and the no-internal-process rule makes the
 * kernel refuse (EBUSY) to enable controllers in the subtree_control of a non-root group with processes —
 * below a systemd session scope or service, a group could never get its limits. Never above what the
 * mount shows (the root, or the top of a cgroup namespace, is where the caller stays).
 */
function selfParent(hierarchy: CgroupHierarchy, own: ProcCgroupEntry[]): string {
  const cgroup = path.posix.resolve('/', ownCgroupPath(hierarchy, own));
  return hierarchy.version === 2 && cgroup !== path.posix.resolve('/', hierarchy.mountRoot) ? path.posix.dirname(cgroup) : cgroup;
}

/**
 * Builds the manager of one group (nothing is created until `create()`). Throws NO_CGROUPFS when no
 * cgroup filesystem is mounted under the root, NO_CONTROLLER when a requested controller is missing.
 */
export function createCgroupManager(options: CgroupManagerOptions): CgroupManager {
  checkGroupPath(options.path);
  const parent = options.parent ?? 'self';
  if (parent !== 'self' && !parent.startsWith('/')) {
    throw new CgroupError(`invalid parent '${parent}': expected 'self' or an absolute cgroup path`, { code: 'INVALID_PATH', value: parent });
  }
  const setup = detectCgroupSetup({
    ...(options.root !== undefined && { root: options.root }),
    ...(options.mountinfoPath !== undefined && { mountinfoPath: options.mountinfoPath }),
  });
  const own = parent === 'self' ? parseProcCgroup(options.procCgroupText ?? fs.readFileSync(options.procCgroupPath ?? '/proc/self/cgroup', 'utf8')) : [];
  const groupDir = (h: CgroupHierarchy) => path.join(hierarchyDir(h, parent === 'self' ? selfParent(h, own) : parent), options.path);
  const find = (name: string) => {
    // v2 has no devices or freezer controller: device rules are an eBPF program and freezing is the core file
    // cgroup.freeze, which any cgroup2 group has
    const hierarchy = setup.hierarchies.find((h) => h.controllers.includes(name)) ??
      (name === 'devices' || name === 'freezer' ? setup.hierarchies.find((h) => h.version === 2) : undefined);
    if (!hierarchy) {
      throw new CgroupError(`controller ${name} is not available (${setup.mode} cgroups under ${setup.root})`, {
        code: 'NO_CONTROLLER', path: setup.root,
      });
    }
    return hierarchy;
  };

  const v1Paths: V1Paths = {};
  const v1: Controller[] = [];
  const v2: Controller[] = [];
  let unified: CgroupHierarchy | undefined;
  let cpusetMount: string | undefined;
  for (const controller of options.controllers ?? ALL_CONTROLLERS) {
    const hierarchy = find(controller);
    if (hierarchy.version === 2) {
      v2.push(controller);
      unified = hierarchy;
      continue;
    }
    v1.push(controller);
    v1Paths[controller] = groupDir(hierarchy);
    if (controller === 'cpuset') cpusetMount = hierarchy.mountpoint;
    // v1 CPU time is accounted by cpuacct, a hierarchy of its own unless co-mounted as cpu,cpuacct
    if (controller === 'cpu') v1Paths.cpuacct = groupDir(find('cpuacct'));
  }
  const backends: Backend[] = [];
  if (v1.length > 0) backends.push(new V1Backend(v1Paths, v1, cpusetMount));
  if (unified) backends.push(new V2Backend(unified.mountpoint, groupDir(unified), v2));
  return new CompositeManager(backends);
}
