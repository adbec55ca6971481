// detect.ts — finds out how cgroups are mounted: unified (v2 only), legacy (v1 only) or hybrid (v1
// controllers plus a cgroup2 mount), which hierarchy holds each controller, and where the calling process
// sits in each one. Same decision as systemd's cg_unified_cached(): statfs(2) the root first, then read
// proc_pid_mountinfo(5) and /proc/self/cgroup (cgroups(7)); mount paths are never assumed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CgroupError } from './errors.js';
import { readCgroupFile } from './fs.js';

/** statfs(2) f_type of a cgroup2 filesystem. */
export const CGROUP2_SUPER_MAGIC = 0x63677270;

/** Controllers a cgroup v1 mount can carry in its super options (Documentation/admin-guide/cgroup-v1). */
const V1_CONTROLLERS = new Set([
  'blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'misc',
  'net_cls', 'net_prio', 'perf_event', 'pids', 'rdma',
]);

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

/** One mounted hierarchy: a v1 mount with its controllers, or the cgroup2 mount. */
export interface CgroupHierarchy {
  version: 1 | 2;
  /** where it is mounted, e.g. /sys/fs/cgroup/memory */
  mountpoint: string;
  /** the cgroup shown at the mountpoint (field 4 of mountinfo; not '/' inside a cgroup namespace bind) */
  mountRoot: string;
  /** controllers usable through this hierarchy; v1 named hierarchies appear as 'name=systemd' */
  controllers: string[];
}

export interface CgroupSetup {
  mode: CgroupMode;
  root: string;
  hierarchies: CgroupHierarchy[];
}

/** One line of proc_pid_mountinfo(5), reduced to what cgroup detection needs. */
export interface MountEntry {
  mountRoot: string;
  mountpoint: string;
  fstype: string;
  superOptions: string[];
}

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** Parses /proc/self/mountinfo text. The optional fields end at the lone '-' separator. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 4) continue;
    entries.push({
      mountRoot: unescape(fields[3]!),
      mountpoint: unescape(fields[4]!),
      fstype: fields[dash + 1]!,
      superOptions: fields[dash + 3]!.split(','),
    });
  }
  return entries;
}

/** One line of /proc/PID/cgroup: `hierarchy-ID:controller-list:cgroup-path` (cgroups(7)). */
export interface ProcCgroupEntry {
  id: number;
  /** empty for the cgroup2 line `0::/path` */
  controllers: string[];
  path: string;
}

/** Parses /proc/PID/cgroup text. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    entries.push({ id: Number(match[1]), controllers: match[2] ? match[2].split(',') : [], path: match[3]! });
  }
  return entries;
}

const isUnder = (p: string, root: string) => p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);

/**
 * Decides the mode from the root's filesystem type and the mounts below the root, without touching the
 * filesystem itself: `readControllers(dir)` returns the words of a cgroup2 `cgroup.controllers`.
 * In hybrid mode a controller counts as v2 only if the unified `cgroup.controllers` lists it: a controller
 * can be bound to one hierarchy only, and a hybrid unified mount often carries none or just hugetlb.
 */
export function classifySetup(input: {
  root: string;
  rootFsType: number;
  mounts: MountEntry[];
  readControllers: (dir: string) => string[];
}): CgroupSetup {
  const root = path.resolve(input.root);
  const below = input.mounts.filter((m) => isUnder(m.mountpoint, root));
  const unified = below.find((m) => m.fstype === 'cgroup2');
  if (input.rootFsType === CGROUP2_SUPER_MAGIC || unified?.mountpoint === root) {
    const mountRoot = below.find((m) => m.fstype === 'cgroup2' && m.mountpoint === root)?.mountRoot ?? '/';
    return {
      mode: 'v2',
      root,
      hierarchies: [{ version: 2, mountpoint: root, mountRoot, controllers: input.readControllers(root) }],
    };
  }
  const hierarchies: CgroupHierarchy[] = [];
  const seen = new Set<string>();
  for (const m of below) {
    if (m.fstype !== 'cgroup') continue;
    // the same hierarchy can be mounted twice (bind mounts); the first mount wins
    const controllers = m.superOptions.filter((o) => (V1_CONTROLLERS.has(o) || o.startsWith('name=')) && !seen.has(o));
    if (controllers.length === 0) continue;
    controllers.forEach((c) => seen.add(c));
    hierarchies.push({ version: 1, mountpoint: m.mountpoint, mountRoot: m.mountRoot, controllers });
  }
  if (unified) {
    const controllers = input.readControllers(unified.mountpoint).filter((c) => !seen.has(c));
    hierarchies.push({ version: 2, mountpoint: unified.mountpoint, mountRoot: unified.mountRoot, controllers });
  }
  if (hierarchies.length === 0) {
    throw new CgroupError(`no cgroup hierarchy mounted under ${root}`, { code: 'NO_CGROUPFS', path: root });
  }
  return { mode: unified ? 'hybrid' : 'v1', root, hierarchies };
}

export interface DetectOptions {
  /** where the cgroup filesystems are mounted; default /sys/fs/cgroup */
  root?: string;
  /** default /proc/self/mountinfo; tests pass a fixture */
  mountinfoPath?: string;
}

// The machine's own setup, read once per process. Cgroup filesystems are mounted at boot (systemd, or the
// distribution's init) and are not remounted under running containers, while a runtime asks for the setup
// several times per container (create, usage, removal): parsing mountinfo each time cost ~0.3 ms warm and
// more cold, on every `ctr run`. A fixture (root or mountinfoPath given) is always read afresh.
let machineSetup: CgroupSetup | undefined;

/** Detects the cgroup setup of this machine (or of a fake tree described by a mountinfo fixture). */
export function detectCgroupSetup(options: DetectOptions = {}): CgroupSetup {
  const root = options.root ?? '/sys/fs/cgroup';
  const mountinfoPath = options.mountinfoPath ?? '/proc/self/mountinfo';
  if (options.root === undefined && options.mountinfoPath === undefined) return (machineSetup ??= readCgroupSetup(root, mountinfoPath));
  return readCgroupSetup(root, mountinfoPath);
}

function readCgroupSetup(root: string, mountinfoPath: string): CgroupSetup {
  let rootFsType: number;
  try {
    rootFsType = Number(fs.statfsSync(root).type);
  } catch (error) {
    throw new CgroupError(`statfs ${root}: ${(error as NodeJS.ErrnoException).code}`, {
      code: 'NO_CGROUPFS', syscall: 'statfs', path: root, cause: error,
    });
  }
  return classifySetup({
    root,
    rootFsType,
    mounts: parseMountinfo(fs.readFileSync(mountinfoPath, 'utf8')),
    readControllers: (dir) => readCgroupFile(dir, 'cgroup.controllers').split(/\s+/).filter(Boolean),
  });
}

/**
 * The directory of cgroup `cgroupPath` in a hierarchy: the mountpoint shows the cgroup `mountRoot`, so the
 * part of the path below mountRoot is appended to it.
 */
export function hierarchyDir(hierarchy: CgroupHierarchy, cgroupPath: string): string {
  const relative = path.posix.relative(hierarchy.mountRoot, path.posix.resolve('/', cgroupPath));
  if (relative.startsWith('..')) {
    throw new CgroupError(`cgroup ${cgroupPath} is not visible under ${hierarchy.mountpoint} (mount shows ${hierarchy.mountRoot})`, {
      code: 'INVALID_PATH', path: hierarchy.mountpoint,
    });
  }
  return path.join(hierarchy.mountpoint, relative);
}

/** The cgroup a process sits in within `hierarchy`, from parsed /proc/PID/cgroup entries. */
export function ownCgroupPath(hierarchy: CgroupHierarchy, entries: ProcCgroupEntry[]): string {
  const entry = hierarchy.version === 2
    ? entries.find((e) => e.id === 0 && e.controllers.length === 0)
    : entries.find((e) => e.controllers.some((c) => hierarchy.controllers.includes(c)));
  if (!entry) {
    throw new CgroupError(`no line for ${hierarchy.controllers.join(',') || 'cgroup2'} in /proc/self/cgroup`, {
      code: 'NO_CONTROLLER', path: hierarchy.mountpoint,
    });
  }
  return entry.path;
}
