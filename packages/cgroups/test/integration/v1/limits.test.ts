// Integration tests on the real cgroup v1 (hybrid) hierarchies of this machine: groups created below the
// caller's own group per controller, limits the kernel enforces (CFS quota, memory OOM kill, pids.max),
// stats, kill and destroy. Needs root. Every group lives below a per-run `ctr-test-<pid>` group that
// afterAll removes and then proves gone from every hierarchy.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCgroupManager, detectCgroupSetup, type CgroupManager } from '../../../src/index.js';
import { killChildren, spawnGated } from '../../children.js';
import { expectWorkloadUsage } from '../groups.js';

const MiB = 2 ** 20;
const TEST_ROOT = `ctr-test-${process.pid}`;
const setup = (() => {
  try {
    return detectCgroupSetup();
  } catch {
    return undefined;
  }
})();
const v1Has = (c: string) => setup?.hierarchies.some((h) => h.version === 1 && h.controllers.includes(c)) ?? false;
const hasV1 = v1Has('cpu') && v1Has('cpuacct') && v1Has('memory') && v1Has('pids');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const managers: CgroupManager[] = [];
function group(name: string): CgroupManager {
  const manager = createCgroupManager({ path: `${TEST_ROOT}/${name}` });
  managers.push(manager);
  manager.create();
  return manager;
}

/** Directories named TEST_ROOT anywhere (3 levels deep) in any v1 hierarchy. */
function leftovers(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const full = path.join(dir, entry.name);
      if (entry.name === TEST_ROOT) found.push(full);
      else if (depth > 0) walk(full, depth - 1);
    }
  };
  for (const h of setup?.hierarchies ?? []) if (h.version === 1) walk(h.mountpoint, 3);
  return found;
}

describe.skipIf(skipUnless('cgroup v1 limits are enforced by the kernel', { root: isRoot, 'cgroup v1 cpu/cpuacct/memory/pids': hasV1 }))(
  'cgroup v1 on this machine',
  () => {
    afterEach(async () => {
      killChildren();
      for (const manager of managers.splice(0)) await manager.destroy();
    });
    afterAll(async () => {
      await createCgroupManager({ path: TEST_ROOT }).destroy();
      expect(leftovers()).toEqual([]);
    });

    it('creates the group below the caller’s own group in each hierarchy, holds a process, destroys it', async () => {
      const manager = group('basic');
      const own = fs.readFileSync('/proc/self/cgroup', 'utf8');
      const memoryOwn = /^\d+:memory:(.*)$/m.exec(own)![1]!;
      expect(manager.paths.memory).toBe(path.join('/sys/fs/cgroup/memory', memoryOwn, TEST_ROOT, 'basic'));
      expect(manager.paths.cpuacct).toBe(path.join('/sys/fs/cgroup/cpuacct', /^\d+:cpuacct:(.*)$/m.exec(own)![1]!, TEST_ROOT, 'basic'));
      for (const dir of Object.values(manager.paths)) expect(fs.statSync(dir).isDirectory()).toBe(true);

      const child = spawnGated('sleep 60');
      manager.addProcess(child.pid);
      expect(manager.pids()).toEqual([child.pid]);
      const theirs = fs.readFileSync(`/proc/${child.pid}/cgroup`, 'utf8');
      expect(theirs).toContain(`:memory:${path.posix.join(memoryOwn, TEST_ROOT, 'basic')}\n`);
      expect(theirs).toContain(`:pids:${path.posix.join(/^\d+:pids:(.*)$/m.exec(own)![1]!, TEST_ROOT, 'basic')}\n`);
      expect(manager.stats().pids).toEqual({ current: 1, limit: null });

      await manager.destroy();
      expect((await child.exited).signal).toBe('SIGKILL');
      for (const dir of Object.values(manager.paths)) expect(fs.existsSync(dir)).toBe(false);
      await manager.destroy(); // idempotent
    });

    it('destroy removes child groups made inside the group (a container root can make them), deepest first', async () => {
      const manager = group('nested');
      for (const dir of Object.values(manager.paths)) fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
      const child = spawnGated('sleep 60');
      manager.addProcess(child.pid);
      await manager.destroy();
      expect((await child.exited).signal).toBe('SIGKILL');
      for (const dir of Object.values(manager.paths)) expect(fs.existsSync(dir)).toBe(false);
    });

    it('destroy while another process removes the same group never fails (a rm and another ctr\'s sweep)', async () => {
      const manager = group('race');
      const dirs = [...new Set(Object.values(manager.paths))];
      // The other remover re-makes the group as it goes, so the two meet in every state: present, being
      // removed (its files answer ENODEV), gone.
      const other = spawn(process.execPath, ['-e', `
        const fs = require('node:fs');
        for (const end = Date.now() + 2000; Date.now() < end; ) for (const d of process.argv.slice(1)) {
          try { fs.mkdirSync(d); } catch {}
          try { fs.rmdirSync(d); } catch {}
        }`, ...dirs], { stdio: 'ignore' });
      const exited = new Promise((resolve) => other.on('exit', resolve));
      let rounds = 0;
      for (const end = Date.now() + 2000; Date.now() < end; rounds++) await manager.destroy();
      await exited;
      await manager.destroy();
      for (const dir of dirs) expect(fs.existsSync(dir)).toBe(false);
      expect(rounds).toBeGreaterThan(1000);
    });

    it('openJoin: a single-threaded process writing "0" to the tasks fds joins every hierarchy by itself', async () => {
      const manager = group('join');
      const join = manager.openJoin();
      expect(join.cgroupFd).toBeUndefined();
      expect(join.taskFds).toHaveLength(new Set(Object.values(manager.paths)).size);
      // The shell's fds 3.. are the tasks files; it joins, then reports where it is.
      const writes = join.taskFds.map((_, i) => `echo 0 >&${i + 3}`).join('; ');
      const shell = spawnSync('sh', ['-c', `${writes}; cat /proc/self/cgroup`], {
        stdio: ['ignore', 'pipe', 'pipe', ...join.taskFds], encoding: 'utf8',
      });
      join.close();
      expect(shell.stderr).toBe('');
      const own = fs.readFileSync('/proc/self/cgroup', 'utf8');
      for (const controller of ['cpu', 'cpuacct', 'memory', 'pids']) {
        const mine = new RegExp(`^\\d+:${controller}:(.*)$`, 'm').exec(own)![1]!;
        expect(shell.stdout).toContain(`:${controller}:${path.posix.join(mine, TEST_ROOT, 'join')}\n`);
      }
      expect(() => fs.fstatSync(join.taskFds[0]!)).toThrow(/EBADF/);
    });

    it('holds a busy loop to about half a core with cpus 0.5, measured from cpuacct', async () => {
      const manager = group('cpu');
      manager.apply({ cpus: 0.5 });
      expect(fs.readFileSync(path.join(manager.paths.cpu!, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('50000');
      const child = spawnGated('while :; do :; done');
      manager.addProcess(child.pid);
      child.go();
      await sleep(300); // let the loop reach steady state
      const before = manager.stats().cpu!;
      const t0 = process.hrtime.bigint();
      await sleep(2500);
      const after = manager.stats().cpu!;
      const wallNs = Number(process.hrtime.bigint() - t0);
      const cores = (after.usageNs - before.usageNs) / wallNs;
      console.log(`v1 cpus 0.5: ${cores.toFixed(3)} cores over ${(wallNs / 1e9).toFixed(2)} s, throttled ${after.throttledPeriods - before.throttledPeriods} of ${after.periods - before.periods} periods`);
      expect(cores).toBeGreaterThan(0.4);
      expect(cores).toBeLessThan(0.6);
      expect(after.throttledPeriods - before.throttledPeriods).toBeGreaterThan(10);
    });

    it('OOM-kills a memory hog above 32 MiB and counts it, with the watch firing', async () => {
      const manager = group('memory');
      // memory+swap = memory: no swap, so the hog cannot escape the limit by swapping
      manager.apply({ memory: 32 * MiB, memorySwap: 32 * MiB });
      const seen: number[] = [];
      const watch = manager.watchOom((total) => seen.push(total));
      try {
        // doubling a shell string: 64 MiB after 26 rounds
        const child = spawnGated('x=a; while :; do x="$x$x"; done');
        manager.addProcess(child.pid);
        expect(manager.oomKills()).toBe(0);
        child.go();
        const exit = await child.exited;
        expect(exit.signal).toBe('SIGKILL');
        expect(manager.oomKills()).toBe(1);
        await expect.poll(() => seen, { timeout: 2000 }).toEqual([1]);
        const memory = manager.stats().memory!;
        console.log(`v1 memory 32 MiB: hog OOM-killed, peak ${memory.peak} bytes`);
        expect(memory.limit).toBe(32 * MiB);
        expect(memory.peak).toBeGreaterThan(16 * MiB);
        expect(memory.peak).toBeLessThanOrEqual(32 * MiB);
      } finally {
        watch.close();
      }
    });

    it('stops a shell fork loop at pids.max 5', async () => {
      const manager = group('pids');
      manager.apply({ pids: 5 });
      const child = spawnGated('i=0; while [ $i -lt 20 ]; do sleep 60 & i=$((i+1)); done');
      manager.addProcess(child.pid);
      child.go();
      const exit = await child.exited;
      // dash gives up on the first failed fork: the shell and its 4 sleeps were 5 tasks
      expect(exit.stderr).toMatch(/Cannot fork/);
      expect(exit.code).not.toBe(0);
      const events = fs.readFileSync(path.join(manager.paths.pids!, 'pids.events'), 'utf8');
      expect(Number(/^max (\d+)/m.exec(events)![1])).toBeGreaterThanOrEqual(1);
      expect(manager.stats().pids).toEqual({ current: 4, limit: 5 });
      // the orphaned sleeps are not our children: killAll finds them through the group
      await manager.killAll();
      expect(manager.pids()).toEqual([]);
    });

    it('reports what a finished workload used: user and system CPU, memory peak, pids peak', async () => {
      await expectWorkloadUsage(group('usage'));
    });

    it('orders memory and memsw writes so raising and lowering both pass the kernel’s check', () => {
      const manager = group('order');
      const dir = manager.paths.memory!;
      const read = (file: string) => Number(fs.readFileSync(path.join(dir, file), 'utf8'));
      for (const [memory, memorySwap] of [[64, 64], [128, 256], [32, 32], [48, -1]] as const) {
        manager.apply({ memory: memory * MiB, memorySwap: memorySwap === -1 ? -1 : memorySwap * MiB });
        expect(read('memory.limit_in_bytes')).toBe(memory * MiB);
        if (memorySwap !== -1) expect(read('memory.memsw.limit_in_bytes')).toBe(memorySwap * MiB);
      }
      // the check itself: a limit above memsw is refused, and the error says what was written where
      manager.apply({ memory: 32 * MiB, memorySwap: 32 * MiB });
      expect(() => manager.apply({ memory: 64 * MiB })).toThrow(expect.objectContaining({
        code: 'EINVAL', errno: -22, path: path.join(dir, 'memory.limit_in_bytes'), value: String(64 * MiB),
        message: `write \`memory.limit_in_bytes\` in ${dir}: EINVAL (value '${64 * MiB}')`,
      }));
    });

    it('pins a process to cpuset.cpus 0 in a new cpuset group (levels filled from the parent), with a CFS period and a soft limit', async () => {
      const manager = createCgroupManager({ path: `${TEST_ROOT}/pinned/leaf`, controllers: ['cpu', 'memory', 'cpuset'] });
      try {
        manager.create();
        manager.apply({ cpusetCpus: '0', cpus: 0.5, cpuPeriod: 50_000, memoryReservation: 16 * MiB });
        const child = spawnGated('sleep 60');
        manager.addProcess(child.pid);
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        expect(/^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1]).toBe('0');
        const dir = (c: string) => manager.paths[c]!;
        expect(fs.readFileSync(path.join(dir('cpuset'), 'cpuset.cpus'), 'utf8').trim()).toBe('0');
        expect(fs.readFileSync(path.join(dir('cpuset'), 'cpuset.mems'), 'utf8').trim()).not.toBe('');
        expect(fs.readFileSync(path.join(dir('cpu'), 'cpu.cfs_period_us'), 'utf8').trim()).toBe('50000');
        expect(fs.readFileSync(path.join(dir('cpu'), 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('25000');
        expect(fs.readFileSync(path.join(dir('memory'), 'memory.soft_limit_in_bytes'), 'utf8').trim()).toBe(String(16 * MiB));
        killChildren();
        await child.exited;
      } finally {
        await manager.destroy();
        // the levels above the leaf: `pinned` in every hierarchy used, TEST_ROOT in cpuset (afterAll removes the rest)
        await createCgroupManager({ path: `${TEST_ROOT}/pinned`, controllers: ['cpu', 'memory', 'cpuset'] }).destroy();
        await createCgroupManager({ path: TEST_ROOT, controllers: ['cpuset'] }).destroy();
      }
    });

    it('sends other signals once, to every process of the group', async () => {
      const manager = group('signal');
      const child = spawnGated('sleep 60');
      manager.addProcess(child.pid);
      await manager.killAll('SIGTERM');
      expect((await child.exited).signal).toBe('SIGTERM');
    });
  },
);
