// groups.ts — shared by the integration suites: whether this host is cgroup v2 only, and test groups below a
// per-run `ctr-test-<pid>` parent, tracked so each test's afterEach can destroy them, with a way to run a
// shell command inside one, and a workload whose usage report is checked.
import * as fs from 'node:fs';
import { expect } from 'vitest';
import { createCgroupManager, CGROUP2_SUPER_MAGIC, type CgroupManager, type Controller } from '../../src/index.js';
import { spawnGated } from '../children.js';

export const TEST_ROOT = `ctr-test-${process.pid}`;

/** True when /sys/fs/cgroup is the cgroup2 root (the qemu guest), false on this v1 hybrid host. */
export const isUnifiedHost = (() => {
  try {
    return Number(fs.statfsSync('/sys/fs/cgroup').type) === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
})();

/** Groups `TEST_ROOT/<name>` managing `controllers`; destroyAll() removes the ones made so far. */
export function testGroups(controllers?: readonly Controller[]) {
  const managers: CgroupManager[] = [];
  return {
    group(name: string): CgroupManager {
      const manager = createCgroupManager({ path: `${TEST_ROOT}/${name}`, ...(controllers && { controllers }) });
      managers.push(manager);
      manager.create();
      return manager;
    },
    async destroyAll(): Promise<void> {
      for (const manager of managers.splice(0)) await manager.destroy();
    },
  };
}

/** Runs `sh -c SCRIPT` with its process in `manager`'s group from the start; resolves with exit code and stderr. */
export async function runInGroup(manager: CgroupManager, script: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawnGated(script);
  manager.addProcess(child.pid);
  child.go();
  return child.exited;
}

// A shell workload whose usage is known in kind: a user-mode counting loop, a system-heavy `dd` of one-byte
// reads and writes, a string doubled to 8 MiB, and at most 5 tasks at once (the shell, 3 sleeps, then dd).
const USAGE_WORKLOAD =
  'sleep 30 & a=$!; sleep 30 & b=$!; sleep 30 & c=$!; ' +
  'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; ' +
  'x=a; i=0; while [ $i -lt 23 ]; do x="$x$x"; i=$((i+1)); done; ' +
  'dd if=/dev/zero of=/dev/null bs=1 count=200000 2>/dev/null; kill $a $b $c; wait';

/** Runs the usage workload in `manager`'s group and checks `usage()` once its tasks are gone. */
export async function expectWorkloadUsage(manager: CgroupManager): Promise<void> {
  const child = spawnGated(USAGE_WORKLOAD);
  manager.addProcess(child.pid);
  child.go();
  expect((await child.exited).code).toBe(0);
  expect(manager.pids()).toEqual([]);
  const usage = manager.usage();
  const totalNs = manager.stats().cpu!.usageNs;
  console.log(`usage: ${JSON.stringify(usage)}, cpu total ${totalNs} ns`);
  // the split is tick-sampled, the total exact: they agree to a few ticks
  expect(Math.abs(usage.cpuUserNs! + usage.cpuSystemNs! - totalNs)).toBeLessThan(Math.max(50e6, totalNs * 0.2));
  expect(usage.cpuUserNs).toBeGreaterThan(20e6);
  expect(usage.cpuSystemNs).toBeGreaterThan(20e6);
  expect(usage.memoryPeakBytes).toBeGreaterThan(8 * 2 ** 20);
  expect(usage.memoryPeakBytes).toBeLessThan(256 * 2 ** 20);
  expect(usage.pidsPeak).toBe(5);
}
