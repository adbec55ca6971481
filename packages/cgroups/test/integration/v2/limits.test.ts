// Integration tests on a real cgroup v2 (unified) kernel. This host is cgroup v1, so they run inside a qemu
// guest booted with cgroup_no_v1=all: `pnpm --filter @ctr/cgroups test:v2-guest` (vitest.v2.config.ts;
// the default `vitest run` excludes this folder). Proves delegation through cgroup.subtree_control, the
// no-internal-process errors, CPU/memory/pids limits the kernel enforces, inotify OOM events, cgroup.kill
// and destroy. Every group lives below a per-run `ctr-test-<pid>` group, proven gone in afterAll.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCgroupManager, detectCgroupSetup, type CgroupManager } from '../../../src/index.js';
import { killChildren, spawnGated } from '../../children.js';
import { expectWorkloadUsage, isUnifiedHost } from '../groups.js';

const MiB = 2 ** 20;
const TEST_ROOT = `ctr-test-${process.pid}`;
const isV2 = isUnifiedHost;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const managers: CgroupManager[] = [];
function group(name: string): CgroupManager {
  const manager = createCgroupManager({ path: `${TEST_ROOT}/${name}` });
  managers.push(manager);
  manager.create();
  return manager;
}
const words = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8').split(/\s+/).filter(Boolean);

describe.skipIf(skipUnless('cgroup v2 limits are enforced by the kernel (run: pnpm --filter @ctr/cgroups test:v2-guest)', {
  root: isRoot, 'cgroup2 unified': isV2,
}))('cgroup v2 on a real kernel', () => {
  afterEach(async () => {
    killChildren();
    for (const manager of managers.splice(0)) await manager.destroy();
  });
  afterAll(async () => {
    const root = detectCgroupSetup().hierarchies[0]!.mountpoint;
    await createCgroupManager({ path: TEST_ROOT }).destroy();
    const own = /^0::(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))![1]!;
    // 'self' on v2 is the parent of our own cgroup (the root when we run in it, as in the guest)
    expect(fs.existsSync(path.join(root, path.posix.dirname(own), TEST_ROOT))).toBe(false);
  });

  it('is detected as v2 and delegates cpu, memory, pids top-down to the leaf', async () => {
    expect(detectCgroupSetup().mode).toBe('v2');
    const manager = group('basic');
    const leaf = manager.paths.memory!;
    expect(new Set(Object.values(manager.paths))).toEqual(new Set([leaf]));
    const parent = path.dirname(leaf);
    expect(words(parent, 'cgroup.subtree_control')).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));
    expect(words(leaf, 'cgroup.controllers')).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));
    expect(words(leaf, 'cgroup.subtree_control')).toEqual([]);

    const child = spawnGated('sleep 60');
    manager.addProcess(child.pid);
    expect(manager.pids()).toEqual([child.pid]);
    expect(fs.readFileSync(`/proc/${child.pid}/cgroup`, 'utf8')).toContain(`${TEST_ROOT}/basic\n`);
    manager.apply({ pids: 10, memory: 64 * MiB });
    expect(manager.stats().pids).toEqual({ current: 1, limit: 10 });
    expect(manager.stats().memory?.limit).toBe(64 * MiB);

    await manager.destroy();
    expect((await child.exited).signal).toBe('SIGKILL');
    expect(fs.existsSync(leaf)).toBe(false);
    await manager.destroy();
  });

  it('refuses, with an explanation, processes in an inner node and delegation from a node with processes', async () => {
    group('inner');
    // the ctr-test-<pid> group itself, which now delegates to 'inner' (afterAll removes it)
    const parent = createCgroupManager({ path: TEST_ROOT });
    const child = spawnGated('sleep 60');
    expect(() => parent.addProcess(child.pid)).toThrow(expect.objectContaining({
      code: 'EBUSY', message: expect.stringContaining('cgroup v2 allows processes only in leaves'),
    }));
    const holder = group('holder');
    holder.addProcess(child.pid);
    const below = createCgroupManager({ path: `${TEST_ROOT}/holder/below` });
    managers.unshift(below);
    expect(() => below.create()).toThrow(expect.objectContaining({
      code: 'EBUSY', message: expect.stringContaining('the group holds processes'),
    }));
  });

  it('holds a busy loop to about half a core with cpus 0.5, measured from cpu.stat', async () => {
    const manager = group('cpu');
    manager.apply({ cpus: 0.5, cpuShares: 2048 });
    expect(fs.readFileSync(path.join(manager.paths.cpu!, 'cpu.max'), 'utf8').trim()).toBe('50000 100000');
    expect(fs.readFileSync(path.join(manager.paths.cpu!, 'cpu.weight'), 'utf8').trim()).toBe('174');
    const child = spawnGated('while :; do :; done');
    manager.addProcess(child.pid);
    child.go();
    await sleep(500);
    const before = manager.stats().cpu!;
    const t0 = process.hrtime.bigint();
    await sleep(3000);
    const after = manager.stats().cpu!;
    const wallNs = Number(process.hrtime.bigint() - t0);
    const cores = (after.usageNs - before.usageNs) / wallNs;
    console.log(`v2 cpus 0.5: ${cores.toFixed(3)} cores over ${(wallNs / 1e9).toFixed(2)} s, throttled ${after.throttledPeriods - before.throttledPeriods} of ${after.periods - before.periods} periods`);
    expect(cores).toBeGreaterThan(0.35);
    expect(cores).toBeLessThan(0.65);
    expect(after.throttledPeriods - before.throttledPeriods).toBeGreaterThan(10);
  });

  it('OOM-kills a memory hog above 32 MiB, counts it in memory.events and notifies through inotify', async () => {
    const manager = group('memory');
    manager.apply({ memory: 32 * MiB, memorySwap: 32 * MiB });
    expect(fs.readFileSync(path.join(manager.paths.memory!, 'memory.swap.max'), 'utf8').trim()).toBe('0');
    const seen: number[] = [];
    const watch = manager.watchOom((total) => seen.push(total));
    try {
      const child = spawnGated('x=a; while :; do x="$x$x"; done');
      manager.addProcess(child.pid);
      expect(manager.oomKills()).toBe(0);
      child.go();
      expect((await child.exited).signal).toBe('SIGKILL');
      expect(manager.oomKills()).toBe(1);
      await expect.poll(() => seen, { timeout: 5000 }).toEqual([1]);
      const memory = manager.stats().memory!;
      console.log(`v2 memory 32 MiB: hog OOM-killed, peak ${memory.peak} bytes`);
      expect(memory.peak).toBeGreaterThan(16 * MiB);
      expect(memory.peak).toBeLessThanOrEqual(32 * MiB);
    } finally {
      watch.close();
    }
  });

  it('reports what a finished workload used: user and system CPU, memory peak, pids peak', async () => {
    await expectWorkloadUsage(group('usage'));
  });

  it('stops a shell fork loop at pids.max 5, and cgroup.kill clears the orphans', async () => {
    const manager = group('pids');
    manager.apply({ pids: 5 });
    const child = spawnGated('i=0; while [ $i -lt 20 ]; do sleep 60 & i=$((i+1)); done');
    manager.addProcess(child.pid);
    child.go();
    const exit = await child.exited;
    expect(exit.stderr).toMatch(/Cannot fork/);
    const events = fs.readFileSync(path.join(manager.paths.pids!, 'pids.events'), 'utf8');
    expect(Number(/^max (\d+)/m.exec(events)![1])).toBeGreaterThanOrEqual(1);
    expect(manager.stats().pids).toEqual({ current: 4, limit: 5 });
    expect(fs.existsSync(path.join(manager.paths.pids!, 'cgroup.kill'))).toBe(true);
    await manager.killAll();
    expect(manager.pids()).toEqual([]);
  });
});
