// v1/devices.ts — the cgroup v1 `devices` controller. A new group starts as a copy of its parent (behaviour
// and exception list), so a group below the root allows everything until told otherwise. Writing `a` to
// devices.deny switches the default to deny and clears the exceptions; each write to devices.allow then adds
// one exception (the kernel parses one rule per write, and refuses with EPERM one the parent does not allow).
// `a` may only be written while the group has no child groups (EINVAL), so rules are applied before the
// container runs. Documentation/admin-guide/cgroup-v1/devices.rst, security/device_cgroup.c.
import { deviceRuleText, type DeviceRule } from '../devices.js';
import { writeCgroupFile } from '../fs.js';
import type { CgroupLimits } from '../limits.js';

type V1DeviceFile = 'devices.allow' | 'devices.deny';

/** The writes, in order, that give a v1 group exactly `rules` (a validated default-plus-exceptions list). */
export function v1DeviceWrites(rules: readonly DeviceRule[]): [file: V1DeviceFile, value: string][] {
  const fileOf = (rule: DeviceRule): V1DeviceFile => (rule.allow ? 'devices.allow' : 'devices.deny');
  const [first, ...exceptions] = rules;
  return [
    // only the `a` of the default counts: the kernel ignores the rest of a line that starts with `a`
    [fileOf(first!), 'a'],
    // a v1 exception names one type; `a` becomes one line per type
    ...exceptions.flatMap((rule) =>
      (rule.type === 'a' ? (['c', 'b'] as const) : [rule.type]).map((type): [V1DeviceFile, string] => [fileOf(rule), deviceRuleText({ ...rule, type })]),
    ),
  ];
}

/** Writes the device rules when limits.devices is set. */
export function applyDevicesV1(dir: string, limits: CgroupLimits): void {
  if (limits.devices === undefined) return;
  for (const [file, value] of v1DeviceWrites(limits.devices)) writeCgroupFile(dir, file, value);
}
