// lock.mjs — one bench at a time, and leftovers of a bench that died without cleaning up (kill -9, power
// loss) are removed before the next starts. Each run owns /run/ctr-bench/<pid>; a directory whose PID no
// longer runs marks a dead run. The bench-only bridges and raw cgroups are shared names, so they are swept
// only when no other bench is alive. See cgroups(7) (cgroup.procs, rmdir of an empty group).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { ctrNet, removeAllContainers, setupNet, stateParent } from './context.mjs';
import { deleteLinkIfPresent } from './links.mjs';
import { signalPid } from './run.mjs';

/** True when `pid` runs this harness (a dead run's PID may since belong to anything else). */
function isBench(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('main.mjs');
  } catch {
    return false;
  }
}

export const rawCgroupRoot = '/sys/fs/cgroup/cpu';
export const rawCgroupName = (pid) => `ctr-bench-${pid}`;

/**
 * Removes a raw cgroup v1 directory after killing what is still in it (only the bench puts tasks there).
 * @param {string} dir
 */
export function removeRawCgroup(dir) {
  if (!existsSync(dir)) return;
  for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
    signalPid(Number(pid), 'SIGKILL');
  }
  // A killed task leaves the group a moment after the signal; rmdir fails with EBUSY until then.
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      if (err.code !== 'EBUSY' || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/**
 * Claims this run's state directory after sweeping dead runs; throws if another bench is running.
 * @param {(line: string) => void} log
 * @returns {string} the state directory for ctr (CTR_STATE_DIR)
 */
export function claimRun(log) {
  mkdirSync(stateParent, { recursive: true, mode: 0o700 });
  for (const entry of readdirSync(stateParent)) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid !== process.pid && isBench(pid)) {
      throw new Error(`another bench is running (pid ${pid}); wait for it or stop it first`);
    }
  }
  for (const entry of readdirSync(stateParent)) {
    log(`removing leftovers of an earlier bench run (pid ${entry})`);
    removeAllContainers(path.join(stateParent, entry));
    rmSync(path.join(stateParent, entry), { recursive: true, force: true });
  }
  for (const entry of readdirSync(rawCgroupRoot)) {
    if (entry.startsWith('ctr-bench-')) removeRawCgroup(path.join(rawCgroupRoot, entry));
  }
  for (const bridge of [ctrNet.bridge, setupNet.bridge]) {
    if (deleteLinkIfPresent(bridge)) log(`removed leftover bridge ${bridge}`);
  }
  const dir = path.join(stateParent, String(process.pid));
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}
