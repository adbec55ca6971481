// groups.ts — shared by the integration suites: whether this host is cgroup v2 only, and test groups below a
// per-run `ctr-test-<pid>` parent, tracked so each test's afterEach can destroy them, with a way to run a
// shell command inside one.
import * as fs from 'node:fs';
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
