// Unit tests for the cgroup v2 backend (and a hybrid split) through createCgroupManager, against fake
// trees: delegation top-down through cgroup.subtree_control, limit files, stats, inotify OOM watch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCgroupManager, type CgroupManager } from '../src/index.js';
import { fakeTree, V1_FILES, V2_FILES, type FakeTree } from './fake-tree.js';

const MiB = 2 ** 20;
let tree: FakeTree;
afterEach(() => tree.remove());

describe('v2 backend on a fake tree', () => {
  let manager: CgroupManager;
  let leaf: string;
  let ctr: string;

  beforeEach(() => {
    tree = fakeTree([['', 'cgroup2', 'rw,nsdelegate']], '0::/\n');
    tree.seed(tree.root, { 'cgroup.controllers': 'cpuset cpu io memory pids\n', 'cgroup.subtree_control': '\n' });
    ctr = path.join(tree.root, 'ctr');
    leaf = path.join(ctr, 'abc');
    // an existing parent group: the kernel shows it the controllers the root enables
    tree.seed(ctr, { 'cgroup.controllers': 'cpu memory pids\n', 'cgroup.subtree_control': '\n' });
    manager = createCgroupManager({ path: 'ctr/abc', root: tree.root, mountinfoPath: tree.mountinfoPath, procCgroupPath: tree.procCgroupPath });
  });

  it('uses one directory for every controller', () => {
    expect(manager.paths).toEqual({ cpu: leaf, memory: leaf, pids: leaf });
  });

  it('openJoin hands out the group directory for CLONE_INTO_CGROUP and no tasks files', () => {
    manager.create();
    const join = manager.openJoin();
    expect(join.taskFds).toEqual([]);
    expect(fs.fstatSync(join.cgroupFd!).ino).toBe(fs.statSync(leaf).ino);
    join.close();
    expect(() => fs.fstatSync(join.cgroupFd!)).toThrow(/EBADF/);
  });

  it('enables the controllers top-down in every ancestor, not in the leaf', () => {
    manager.create();
    expect(tree.read(tree.root, 'cgroup.subtree_control')).toBe('+cpu +memory +pids');
    expect(tree.read(ctr, 'cgroup.subtree_control')).toBe('+cpu +memory +pids');
  });

  it('writes only the controllers an ancestor lacks', () => {
    tree.seed(tree.root, { 'cgroup.subtree_control': 'cpu io memory pids\n' });
    tree.seed(ctr, { 'cgroup.subtree_control': 'memory\n' });
    manager.create();
    expect(tree.read(tree.root, 'cgroup.subtree_control')).toBe('cpu io memory pids\n');
    expect(tree.read(ctr, 'cgroup.subtree_control')).toBe('+cpu +pids');
  });

  it('explains a controller the parent does not delegate', () => {
    tree.seed(ctr, { 'cgroup.controllers': 'pids\n' });
    expect(() => manager.create()).toThrow(expect.objectContaining({
      code: 'NO_CONTROLLER', message: `controller cpu, memory not available in ${ctr} (its parent does not delegate it)`,
    }));
  });

  describe('once created', () => {
    beforeEach(() => {
      manager.create();
      tree.seed(leaf, V2_FILES);
    });

    it('writes cpu.max, cpu.weight, memory.max, memory.swap.max and pids.max', () => {
      manager.apply({ cpus: 1.5, cpuShares: 1024, memory: 64 * MiB, memorySwap: 96 * MiB, pids: 20 });
      expect(tree.read(leaf, 'cpu.max')).toBe('150000 100000');
      expect(tree.read(leaf, 'cpu.weight')).toBe('100');
      expect(tree.read(leaf, 'memory.max')).toBe(String(64 * MiB));
      expect(tree.read(leaf, 'memory.swap.max')).toBe(String(32 * MiB));
      expect(tree.read(leaf, 'pids.max')).toBe('20');
    });

    it('writes unlimited as max, and no swap as 0', () => {
      manager.apply({ memory: -1, pids: -1, cpuWeight: 250 });
      expect(tree.read(leaf, 'memory.max')).toBe('max');
      expect(tree.read(leaf, 'memory.swap.max')).toBe('max');
      expect(tree.read(leaf, 'pids.max')).toBe('max');
      expect(tree.read(leaf, 'cpu.weight')).toBe('250');
      manager.apply({ memory: 32 * MiB, memorySwap: 32 * MiB });
      expect(tree.read(leaf, 'memory.swap.max')).toBe('0');
    });

    it('reads stats, converting µs to ns', () => {
      tree.seed(leaf, {
        'cpu.stat': 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 50\nnr_throttled 25\nthrottled_usec 1250000\n',
        'memory.current': '4096\n', 'memory.peak': '8192\n', 'memory.max': '33554432\n',
        'memory.events': 'low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 0\n',
        'pids.current': '2\n', 'pids.max': '5\n',
      });
      expect(manager.stats()).toEqual({
        cpu: { usageNs: 2_500_000_000, periods: 50, throttledPeriods: 25, throttledNs: 1_250_000_000 },
        memory: { current: 4096, peak: 8192, limit: 33_554_432, oomKills: 1 },
        pids: { current: 2, limit: 5 },
      });
    });

    it('reports a null peak on kernels without memory.peak (< 5.19)', () => {
      fs.rmSync(path.join(leaf, 'memory.peak'));
      expect(manager.stats().memory?.peak).toBeNull();
    });

    it('reads the usage of the group’s life from cpu.stat, memory.peak and pids.peak, in ns and bytes', () => {
      tree.seed(leaf, {
        'cpu.stat': 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n',
        'memory.peak': '8192\n', 'pids.peak': '7\n',
      });
      expect(manager.usage()).toEqual({ cpuUserNs: 2_000_000_000, cpuSystemNs: 500_000_000, memoryPeakBytes: 8192, pidsPeak: 7 });
    });

    it('says null for usage files the kernel lacks instead of estimating them', () => {
      fs.rmSync(path.join(leaf, 'memory.peak'));
      tree.seed(leaf, { 'cpu.stat': 'usage_usec 2500000\n' });
      expect(manager.usage()).toEqual({ cpuUserNs: null, cpuSystemNs: null, memoryPeakBytes: null, pidsPeak: null });
    });

    it('watches memory.events with inotify', async () => {
      const seen: number[] = [];
      const watch = manager.watchOom((total) => seen.push(total));
      try {
        tree.seed(leaf, { 'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n' });
        await expect.poll(() => seen, { timeout: 2000 }).toEqual([1]);
        expect(manager.oomKills()).toBe(1);
      } finally {
        watch.close();
      }
    });

    it('writes the pid to the single cgroup.procs', () => {
      manager.addProcess(777);
      expect(tree.read(leaf, 'cgroup.procs')).toBe('777');
    });
  });
});

describe("the default parent 'self' on v2", () => {
  it("is the parent of the caller's cgroup, which holds the caller and so may not delegate controllers", () => {
    tree = fakeTree([['', 'cgroup2', 'rw,nsdelegate']], '0::/user.slice/user-1000.slice/session-3.scope\n');
    tree.seed(tree.root, { 'cgroup.controllers': 'cpu memory pids\n' });
    const manager = createCgroupManager({ path: 'ctr/abc', root: tree.root, mountinfoPath: tree.mountinfoPath, procCgroupPath: tree.procCgroupPath });
    const leaf = path.join(tree.root, 'user.slice/user-1000.slice/ctr/abc');
    expect(manager.paths).toEqual({ cpu: leaf, memory: leaf, pids: leaf });
  });
});

describe('hybrid split on a fake tree', () => {
  it('drives v1 controllers in their mounts and a unified-listed controller through cgroup2', () => {
    tree = fakeTree(
      [['cpu,cpuacct', 'cgroup', 'rw,cpu,cpuacct'], ['pids', 'cgroup', 'rw,pids'], ['unified', 'cgroup2', 'rw']],
      '3:pids:/\n2:cpu,cpuacct:/\n0::/\n',
    );
    const unified = path.join(tree.root, 'unified');
    tree.seed(unified, { 'cgroup.controllers': 'memory\n', 'cgroup.subtree_control': 'memory\n' });
    tree.seed(path.join(unified, 'ctr'), { 'cgroup.controllers': 'memory\n', 'cgroup.subtree_control': '\n' });
    const manager = createCgroupManager({ path: 'ctr/h', root: tree.root, mountinfoPath: tree.mountinfoPath, procCgroupPath: tree.procCgroupPath });
    const cpuDir = path.join(tree.root, 'cpu,cpuacct/ctr/h');
    const memDir = path.join(unified, 'ctr/h');
    expect(manager.paths).toEqual({ cpu: cpuDir, cpuacct: cpuDir, pids: path.join(tree.root, 'pids/ctr/h'), memory: memDir });
    manager.create();
    expect(tree.read(path.join(unified, 'ctr'), 'cgroup.subtree_control')).toBe('+memory');
    tree.seed(cpuDir, { ...V1_FILES.cpu, ...V1_FILES.cpuacct });
    tree.seed(path.join(tree.root, 'pids/ctr/h'), V1_FILES.pids);
    tree.seed(memDir, V2_FILES);
    manager.apply({ cpus: 1, memory: 16 * MiB, pids: 9 });
    expect(tree.read(cpuDir, 'cpu.cfs_quota_us')).toBe('100000');
    expect(tree.read(memDir, 'memory.max')).toBe(String(16 * MiB));
    manager.addProcess(99);
    expect(tree.read(cpuDir, 'cgroup.procs')).toBe('99');
    expect(tree.read(memDir, 'cgroup.procs')).toBe('99');
    expect(Object.keys(manager.stats()).sort()).toEqual(['cpu', 'memory', 'pids']);
  });
});
