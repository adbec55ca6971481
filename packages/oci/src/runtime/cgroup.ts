// cgroup.ts — the container's cgroup through @ctr/cgroups: where linux.cgroupsPath puts it (absolute: from
// the cgroup root; relative: below the cgroup ctrun runs in, as runc does; absent: ctrun-<id> there, one
// level, so removing it leaves nothing behind), the limits of linux.resources, and the device allow-list
// every container gets on top of the config's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONTAINER_CONTROLLERS, createCgroupManager, DEFAULT_DEVICE_RULES, type CgroupLimits, type CgroupManager, type DeviceRule,
} from '@ctr/cgroups';
import type { OciResources } from '../config/model.js';
import { OciError } from '../errors.js';

/** What the state file keeps to find the group again from another ctrun process. */
export interface CgroupLocation {
  /** relative group path */
  path: string;
  /** '/' for an absolute cgroupsPath, else the /proc/self/cgroup text of the creating ctrun */
  parent: string;
  procCgroupText?: string;
}

export function cgroupLocation(id: string, cgroupsPath: string | undefined): CgroupLocation {
  if (cgroupsPath !== undefined && cgroupsPath.startsWith('/')) {
    const path = cgroupsPath.split('/').filter(Boolean).join('/');
    if (path === '') throw new OciError('config.json: linux.cgroupsPath: "/" is the root cgroup, not a container\'s', { code: 'INVALID_CONFIG', field: 'linux.cgroupsPath' });
    return { path, parent: '/' };
  }
  const path = (cgroupsPath ?? `ctrun-${id}`).split('/').filter(Boolean).join('/');
  return { path, parent: 'self', procCgroupText: readFileSync('/proc/self/cgroup', 'utf8') };
}

export function cgroupManager(location: CgroupLocation): CgroupManager {
  return createCgroupManager({
    path: location.path,
    parent: location.parent,
    // cpuset too, as runc joins every hierarchy: cpu.cpus/mems can be set now or by a later `update`
    controllers: [...CONTAINER_CONTROLLERS, 'freezer', 'cpuset'],
    ...(location.procCgroupText !== undefined ? { procCgroupText: location.procCgroupText } : {}),
  });
}

/** The file state.ts reads to tell a paused container: v1 freezer.state, else v2's cgroup.freeze. */
export function freezerFile(dir: string): string {
  const v1 = join(dir, 'freezer.state');
  return existsSync(v1) ? v1 : join(dir, 'cgroup.freeze');
}

/**
 * linux.resources as @ctr/cgroups limits. The device list is the config's followed by the nodes every
 * container has (runc's and crun's built-in allow-list; podman's config denies all and lists none).
 */
export function cgroupLimits(resources: OciResources | undefined): CgroupLimits {
  const limits: CgroupLimits = { ...resources?.limits };
  limits.devices = deviceRules(resources?.devices ?? []);
  return limits;
}

function deviceRules(configured: readonly DeviceRule[]): DeviceRule[] {
  if (configured.length === 0) return [...DEFAULT_DEVICE_RULES];
  // under an allow-all default (privileged) the built-in allows would be no exception: the list stands
  if (configured[0]!.allow) return [...configured];
  return [...configured, ...DEFAULT_DEVICE_RULES.slice(1)];
}
