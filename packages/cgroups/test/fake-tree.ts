// fake-tree.ts — builds a fake cgroup tree in a temp dir for the unprivileged backend tests: directories
// and control files seeded with the contents the kernel gives them, plus the mountinfo and
// /proc/self/cgroup fixtures that point detection at that tree (runc's fs tests do the same with tempDir).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const V1_UNLIMITED = '9223372036854771712';

export interface FakeTree {
  root: string;
  mountinfoPath: string;
  procCgroupPath: string;
  /** writes files (creating the directory) below the root */
  seed(dir: string, files: Record<string, string>): void;
  read(dir: string, file: string): string;
  remove(): void;
}

/** A temp root with one mount per `mounts` entry ([subdir or '', fstype, super options]). */
export function fakeTree(mounts: [string, 'cgroup' | 'cgroup2', string][], procCgroup: string): FakeTree {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ctr-cgroups-fake-'));
  const meta = fs.mkdtempSync(path.join(os.tmpdir(), 'ctr-cgroups-meta-'));
  const lines = [`31 23 0:28 / ${root} rw,relatime - tmpfs tmpfs rw,mode=755`];
  mounts.forEach(([sub, fstype, options], i) => {
    const mountpoint = sub ? path.join(root, sub) : root;
    fs.mkdirSync(mountpoint, { recursive: true });
    lines.push(`${40 + i} 31 0:${40 + i} / ${mountpoint} rw,relatime - ${fstype} ${fstype} ${options}`);
  });
  const mountinfoPath = path.join(meta, 'mountinfo');
  const procCgroupPath = path.join(meta, 'cgroup');
  fs.writeFileSync(mountinfoPath, `${lines.join('\n')}\n`);
  fs.writeFileSync(procCgroupPath, procCgroup);
  return {
    root,
    mountinfoPath,
    procCgroupPath,
    seed(dir, files) {
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    },
    read: (dir, file) => fs.readFileSync(path.join(dir, file), 'utf8'),
    remove() {
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(meta, { recursive: true, force: true });
    },
  };
}

/** Control files of a fresh v1 group, per hierarchy, as the kernel creates them. */
export const V1_FILES = {
  cpu: { 'cgroup.procs': '', 'cpu.cfs_period_us': '100000\n', 'cpu.cfs_quota_us': '-1\n', 'cpu.shares': '1024\n',
    'cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n' },
  cpuacct: { 'cgroup.procs': '', 'cpuacct.usage': '0\n' },
  memory: { 'cgroup.procs': '', 'memory.limit_in_bytes': `${V1_UNLIMITED}\n`, 'memory.memsw.limit_in_bytes': `${V1_UNLIMITED}\n`,
    'memory.usage_in_bytes': '0\n', 'memory.max_usage_in_bytes': '0\n', 'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n' },
  pids: { 'cgroup.procs': '', 'pids.max': 'max\n', 'pids.current': '0\n' },
};

/** Control files of a fresh v2 leaf with cpu, memory and pids enabled by its parent. */
export const V2_FILES = {
  'cgroup.procs': '', 'cgroup.controllers': 'cpu memory pids\n', 'cgroup.subtree_control': '\n',
  'cpu.max': 'max 100000\n', 'cpu.weight': '100\n',
  'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n',
  'memory.max': 'max\n', 'memory.swap.max': 'max\n', 'memory.current': '0\n', 'memory.peak': '0\n',
  'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n',
  'pids.max': 'max\n', 'pids.current': '0\n',
};
