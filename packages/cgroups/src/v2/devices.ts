// v2/devices.ts — device rules on cgroup v2: there is no devices controller (nothing to enable in
// cgroup.subtree_control); the group gets an eBPF program instead, compiled by device-filter.ts and attached
// by fs.ts. Attaching again replaces the program, so re-applying rules swaps the whole list at once.
import { attachDeviceFilter } from '../fs.js';
import type { CgroupLimits } from '../limits.js';
import { compileDeviceFilter } from './device-filter.js';

/** Attaches the filter for limits.devices when it is set. */
export function applyDevicesV2(dir: string, limits: CgroupLimits): void {
  if (limits.devices !== undefined) attachDeviceFilter(dir, compileDeviceFilter(limits.devices));
}
