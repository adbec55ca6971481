// @ctr/cgroups — cgroup v1, v2 and hybrid behind one CgroupManager: create a group, apply limits, add any
// PID, read stats and OOM kills, kill everything, destroy. No dependency on the rest of ctr.
export { createCgroupManager, type CgroupManagerOptions } from './factory.js';
export type { CgroupManager, CgroupStats, Controller, OomWatch } from './manager.js';
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
