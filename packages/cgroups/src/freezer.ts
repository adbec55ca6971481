// freezer.ts — pausing a group: v1's freezer controller (freezer.state FROZEN / THAWED, which reads FREEZING
// while the kernel is still stopping tasks) and v2's cgroup.freeze (1 / 0, done once cgroup.events says
// "frozen 1"). Both are asynchronous in the kernel, so freeze() polls until the group is where it was asked
// to be. Documentation/admin-guide/cgroup-v1/freezer-subsystem.rst, cgroup-v2.rst "cgroup.freeze".
import { CgroupError } from './errors.js';
import { readCgroupFile, writeCgroupFile } from './fs.js';

/** How long freeze() waits for the kernel to stop (or resume) every task. */
export const FREEZE_TIMEOUT_MS = 5000;

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function waitFor(dir: string, done: () => boolean, what: string): void {
  const deadline = Date.now() + FREEZE_TIMEOUT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new CgroupError(`${dir} did not become ${what} within ${FREEZE_TIMEOUT_MS} ms`, { code: 'ETIMEDOUT', path: dir });
    pause(1);
  }
}

export function freezeV1(dir: string, frozen: boolean): void {
  const want = frozen ? 'FROZEN' : 'THAWED';
  // a write of FROZEN while tasks are still stopping is answered by FREEZING: writing again retries the stop
  waitFor(dir, () => {
    writeCgroupFile(dir, 'freezer.state', want);
    return readCgroupFile(dir, 'freezer.state') === want;
  }, want.toLowerCase());
}

export function frozenV1(dir: string): boolean {
  return readCgroupFile(dir, 'freezer.state') === 'FROZEN';
}

export function freezeV2(dir: string, frozen: boolean): void {
  writeCgroupFile(dir, 'cgroup.freeze', frozen ? '1' : '0');
  waitFor(dir, () => frozenV2(dir) === frozen, frozen ? 'frozen' : 'thawed');
}

export function frozenV2(dir: string): boolean {
  return /^frozen 1$/m.test(readCgroupFile(dir, 'cgroup.events'));
}
