// v2/delegate.ts — creating a v2 group so its controllers work. cgroup-v2.rst "Top-down Constraint": a
// controller can be enabled in a group's `cgroup.subtree_control` only if its parent enabled it, so every
// ancestor from the root down is checked; "No Internal Process Constraint": enabling a controller in a
// non-root group that holds processes fails with EBUSY, which we turn into an explanation.
import * as path from 'node:path';
import { CgroupError, isCgroupError } from '../errors.js';
import { makeGroup, readCgroupFile, writeCgroupFile } from '../fs.js';

const words = (text: string) => text.split(/\s+/).filter(Boolean);

/** The `cgroup.subtree_control` line that enables the controllers missing from `enabled`. */
export function subtreeControlValue(needed: readonly string[], enabled: readonly string[]): string | undefined {
  const missing = needed.filter((c) => !enabled.includes(c));
  return missing.length === 0 ? undefined : missing.map((c) => `+${c}`).join(' ');
}

/**
 * Creates `leaf` below the hierarchy root `mountpoint`, enabling `controllers` in the subtree_control of
 * the root and of every group between it and the leaf (the leaf itself stays a leaf: it will hold
 * processes, and a group with processes may not delegate).
 */
export function createDelegated(mountpoint: string, leaf: string, controllers: readonly string[]): void {
  const steps = path.relative(mountpoint, leaf).split(path.sep).filter(Boolean);
  let dir = mountpoint;
  for (const step of steps) {
    const available = words(readCgroupFile(dir, 'cgroup.controllers'));
    const unavailable = controllers.filter((c) => !available.includes(c));
    if (unavailable.length > 0) {
      throw new CgroupError(`controller ${unavailable.join(', ')} not available in ${dir} (its parent does not delegate it)`, {
        code: 'NO_CONTROLLER', path: dir,
      });
    }
    const value = subtreeControlValue(controllers, words(readCgroupFile(dir, 'cgroup.subtree_control')));
    if (value !== undefined) {
      try {
        writeCgroupFile(dir, 'cgroup.subtree_control', value);
      } catch (error) {
        if (!isCgroupError(error) || error.code !== 'EBUSY') throw error;
        throw new CgroupError(
          `write \`cgroup.subtree_control\` in ${dir}: EBUSY (value '${value}'): the group holds processes, and cgroup v2 ` +
            'lets only groups without processes delegate controllers; place containers under a parent without processes (option parent)',
          { code: 'EBUSY', errno: error.errno, syscall: 'write', path: error.path, value, cause: error },
        );
      }
    }
    dir = path.join(dir, step);
    makeGroup(dir);
  }
}
