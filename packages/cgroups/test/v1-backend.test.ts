// Unit tests for the cgroup v1 backend through createCgroupManager, against a fake tree shaped like this CI
// machine: cpu and cpuacct mounted apart, the caller's memory group at /process_api/<hash>, the rest at /.
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCgroupManager, type CgroupManager } from '../src/index.js';
import { fakeTree, V1_FILES, V1_UNLIMITED, type FakeTree } from './fake-tree.js';

const HASH = 'b30054b93f74f0fd545c80278f2ce212';
const MiB = 2 ** 20;

let tree: FakeTree;
let manager: CgroupManager;
let dirs: { cpu: string; cpuacct: string; memory: string; pids: string };

beforeEach(() => {
  tree = fakeTree(
    [['cpu', 'cgroup', 'rw,cpu'], ['cpuacct', 'cgroup', 'rw,cpuacct'], ['memory', 'cgroup', 'rw,memory'],
      ['pids', 'cgroup', 'rw,pids'], ['systemd', 'cgroup', 'rw,name=systemd']],
    `9:name=systemd:/\n8:pids:/\n4:memory:/process_api/${HASH}\n2:cpuacct:/\n1:cpu:/\n`,
  );
  manager = createCgroupManager({ path: 'ctr/abc', root: tree.root, mountinfoPath: tree.mountinfoPath, procCgroupPath: tree.procCgroupPath });
  dirs = {
    cpu: path.join(tree.root, 'cpu/ctr/abc'),
    cpuacct: path.join(tree.root, 'cpuacct/ctr/abc'),
    memory: path.join(tree.root, `memory/process_api/${HASH}/ctr/abc`),
    pids: path.join(tree.root, 'pids/ctr/abc'),
  };
  manager.create();
  // what the kernel does on mkdir
  for (const name of ['cpu', 'cpuacct', 'memory', 'pids'] as const) tree.seed(dirs[name], V1_FILES[name]);
});
afterEach(() => tree.remove());

describe('v1 backend on a fake tree', () => {
  it('places each controller below the caller’s own group in its hierarchy', () => {
    expect(manager.paths).toEqual(dirs);
  });

  it('reopens a group made for another process where that process’s own groups were', () => {
    const other = '4:memory:/process_api/other\n8:pids:/elsewhere\n2:cpuacct:/\n1:cpu:/\n';
    const reopened = createCgroupManager({
      path: 'ctr/abc', root: tree.root, mountinfoPath: tree.mountinfoPath, procCgroupPath: tree.procCgroupPath,
      procCgroupText: other,
    });
    expect(reopened.paths).toEqual({
      cpu: dirs.cpu,
      cpuacct: dirs.cpuacct,
      memory: path.join(tree.root, 'memory/process_api/other/ctr/abc'),
      pids: path.join(tree.root, 'pids/elsewhere/ctr/abc'),
    });
  });

  it('writes cpu, memory+swap and pids limits where the kernel reads them', () => {
    manager.apply({ cpus: 0.5, cpuShares: 512, memory: 32 * MiB, memorySwap: 64 * MiB, pids: 5 });
    expect(tree.read(dirs.cpu, 'cpu.cfs_period_us')).toBe('100000');
    expect(tree.read(dirs.cpu, 'cpu.cfs_quota_us')).toBe('50000');
    expect(tree.read(dirs.cpu, 'cpu.shares')).toBe('512');
    expect(tree.read(dirs.memory, 'memory.limit_in_bytes')).toBe(String(32 * MiB));
    expect(tree.read(dirs.memory, 'memory.memsw.limit_in_bytes')).toBe(String(64 * MiB));
    expect(tree.read(dirs.pids, 'pids.max')).toBe('5');
  });

  it('converts a v2 weight to shares, and lifts memsw with unlimited memory', () => {
    manager.apply({ cpuWeight: 100, memory: -1, pids: 0 });
    expect(tree.read(dirs.cpu, 'cpu.shares')).toBe('1024');
    expect(tree.read(dirs.memory, 'memory.limit_in_bytes')).toBe('-1');
    expect(tree.read(dirs.memory, 'memory.memsw.limit_in_bytes')).toBe('-1');
    expect(tree.read(dirs.pids, 'pids.max')).toBe('max');
  });

  it('leaves untouched what the limits leave out', () => {
    manager.apply({ pids: 7 });
    expect(tree.read(dirs.cpu, 'cpu.cfs_quota_us')).toBe('-1\n');
    expect(tree.read(dirs.memory, 'memory.limit_in_bytes')).toBe(`${V1_UNLIMITED}\n`);
  });

  it('validates before writing anything', () => {
    expect(() => manager.apply({ pids: 5, cpus: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_LIMIT' }));
    expect(tree.read(dirs.pids, 'pids.max')).toBe('max\n');
  });

  it('adds a process to every hierarchy', () => {
    manager.addProcess(4242);
    for (const dir of Object.values(dirs)) expect(tree.read(dir, 'cgroup.procs')).toBe('4242');
    expect(() => manager.addProcess(0)).toThrow(/invalid pid 0/);
  });

  it('reads stats from cpuacct, cpu.stat, memory and pids files', () => {
    tree.seed(dirs.cpuacct, { 'cpuacct.usage': '1234567890\n' });
    tree.seed(dirs.cpu, { 'cpu.stat': 'nr_periods 40\nnr_throttled 12\nthrottled_time 987654321\n' });
    tree.seed(dirs.memory, {
      'memory.usage_in_bytes': '1048576\n', 'memory.max_usage_in_bytes': '2097152\n', 'memory.limit_in_bytes': '33554432\n',
      'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n',
    });
    tree.seed(dirs.pids, { 'pids.current': '3\n', 'pids.max': '5\n' });
    expect(manager.stats()).toEqual({
      cpu: { usageNs: 1_234_567_890, periods: 40, throttledPeriods: 12, throttledNs: 987_654_321 },
      memory: { current: 1_048_576, peak: 2_097_152, limit: 33_554_432, oomKills: 1 },
      pids: { current: 3, limit: 5 },
    });
    tree.seed(dirs.memory, { 'memory.limit_in_bytes': `${V1_UNLIMITED}\n` });
    tree.seed(dirs.pids, { 'pids.max': 'max\n' });
    expect(manager.stats().memory?.limit).toBeNull();
    expect(manager.stats().pids?.limit).toBeNull();
  });

  it('reads the usage of the group’s life from cpuacct, max_usage_in_bytes and pids.peak', () => {
    tree.seed(dirs.cpuacct, { 'cpuacct.usage_user': '900000000\n', 'cpuacct.usage_sys': '300000000\n' });
    tree.seed(dirs.memory, { 'memory.max_usage_in_bytes': '2097152\n' });
    tree.seed(dirs.pids, { 'pids.peak': '32\n' });
    expect(manager.usage()).toEqual({ cpuUserNs: 900_000_000, cpuSystemNs: 300_000_000, memoryPeakBytes: 2_097_152, pidsPeak: 32 });
  });

  it('says null for usage files the kernel lacks (pids.peak, usage_user before 4.7)', () => {
    tree.seed(dirs.memory, { 'memory.max_usage_in_bytes': '4096\n' });
    expect(manager.usage()).toEqual({ cpuUserNs: null, cpuSystemNs: null, memoryPeakBytes: 4096, pidsPeak: null });
  });

  it('polls memory.oom_control for new OOM kills', async () => {
    const seen: number[] = [];
    const watch = manager.watchOom((total) => seen.push(total));
    try {
      tree.seed(dirs.memory, { 'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n' });
      await expect.poll(() => seen, { timeout: 2000 }).toEqual([2]);
      expect(manager.oomKills()).toBe(2);
    } finally {
      watch.close();
    }
  });

  it('reports a failed write with the file, directory, errno and value', () => {
    tree.remove();
    tree.seed(dirs.cpu, {});
    let caught: unknown;
    try {
      manager.apply({ cpus: 1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      name: 'CgroupError',
      code: 'ENOENT',
      errno: -2,
      syscall: 'open',
      path: path.join(dirs.cpu, 'cpu.cfs_period_us'),
      value: '100000',
      message: `write \`cpu.cfs_period_us\` in ${dirs.cpu}: ENOENT (value '100000')`,
    });
    expect((caught as Error).cause).toBeInstanceOf(Error);
  });

  it('says so when swap accounting is missing', () => {
    tree.remove();
    tree.seed(dirs.memory, { 'memory.limit_in_bytes': '0' });
    expect(() => manager.apply({ memory: 32 * MiB, memorySwap: 64 * MiB })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('swapaccount=1') }),
    );
  });
});

describe('createCgroupManager options', () => {
  it('manages only the controllers asked for', () => {
    const pidsOnly = createCgroupManager({
      path: 'ctr/abc', root: tree.root, mountinfoPath: tree.mountinfoPath, procCgroupPath: tree.procCgroupPath, controllers: ['pids'],
    });
    expect(pidsOnly.paths).toEqual({ pids: dirs.pids });
    expect(() => pidsOnly.apply({ memory: 32 * MiB })).toThrow(expect.objectContaining({ code: 'NO_CONTROLLER' }));
    expect(() => pidsOnly.oomKills()).toThrow(/memory is not managed/);
  });

  it('takes an explicit parent cgroup instead of the caller’s own', () => {
    const m = createCgroupManager({ path: 'x', parent: '/ctr', root: tree.root, mountinfoPath: tree.mountinfoPath });
    expect(m.paths.memory).toBe(path.join(tree.root, 'memory/ctr/x'));
  });

  it('rejects paths that escape the parent', () => {
    for (const bad of ['/abs', '../up', 'a//b', 'a/./b', '']) {
      expect(() => createCgroupManager({ path: bad, root: tree.root, mountinfoPath: tree.mountinfoPath }))
        .toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
    }
    expect(() => createCgroupManager({ path: 'x', parent: 'relative', root: tree.root, mountinfoPath: tree.mountinfoPath }))
      .toThrow(/invalid parent 'relative'/);
  });
});
