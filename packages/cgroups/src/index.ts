// @ctr/cgroups — cgroup v1, v2 and hybrid behind one CgroupManager: create a group, apply limits and device
// rules, add any PID, read stats and OOM kills, kill everything, destroy. Depends on @ctr/ns-native only for
// bpf(2), which the v2 device filter needs.
export { createCgroupManager, type CgroupManagerOptions } from './factory.js';
export {
  ALL_CONTROLLERS, CONTAINER_CONTROLLERS, type CgroupJoin, type CgroupManager, type CgroupStats, type CgroupUsage, type Controller, type OomWatch,
} from './manager.js';
export {
  ALLOW_ALL, DEFAULT_DEVICE_RULES, DENY_ALL, deviceAllowed, deviceRuleText, validateDeviceRules, type DeviceRule, type DeviceType,
} from './devices.js';
export { compileDeviceFilter } from './v2/device-filter.js';
export { v1DeviceWrites } from './v1/devices.js';
export {
  CGROUP2_SUPER_MAGIC, classifySetup, detectCgroupSetup, parseMountinfo, parseProcCgroup,
  type CgroupHierarchy, type CgroupMode, type CgroupSetup, type DetectOptions, type MountEntry, type ProcCgroupEntry,
} from './detect.js';
export {
  CPU_PERIOD_US, cpuMaxValue, cpusToQuota, memoryV1Value, memoryV2Value, pidsLimitValue, sharesToWeight, swapV1ToV2,
  v1MemoryWriteOrder, weightToShares, type CgroupLimits,
} from './limits.js';
export { parseSize, formatSize } from './size.js';
export { validateLimits, MIN_CPUS, MIN_MEMORY, type HostCapacity } from './validate.js';
export { CgroupError, isCgroupError, type CgroupErrorCode } from './errors.js';
