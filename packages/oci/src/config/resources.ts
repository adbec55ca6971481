// resources.ts — config-linux.md `linux.resources` → @ctr/cgroups' limits and a device allow-list.
// OCI memory.swap is memory + swap (the cgroup v1 memsw meaning), as @ctr/cgroups' memorySwap is; CFS
// quota/period become `cpus` (quota ÷ period) and `cpuPeriod`, which @ctr/cgroups turns back into both files.
// Controllers @ctr/cgroups does not drive (blkio, hugetlb, rdma, net_cls/prio, unified) are refused.
import { isCgroupError, validateDeviceRules, type DeviceRule } from '@ctr/cgroups';
import type { OciResources } from './model.js';
import { isSet, type Json, type Reader } from './reader.js';

const RESOURCE_KEYS = ['cpu', 'memory', 'pids', 'devices'];
const RESOURCE_REFUSED = {
  blockIO: 'the blkio / io controller is not driven by ctrun',
  hugepageLimits: 'the hugetlb controller is not driven by ctrun',
  network: 'net_cls / net_prio are not driven by ctrun',
  rdma: 'the rdma controller is not driven by ctrun',
  unified: 'raw cgroup v2 files are not written by ctrun',
};
const CPU_REFUSED = {
  realtimeRuntime: 'realtime scheduling budgets are not implemented',
  realtimePeriod: 'realtime scheduling budgets are not implemented',
  idle: 'cpu.idle is not implemented',
  burst: 'cpu.max.burst is not implemented',
};
const MEMORY_REFUSED = {
  kernel: 'kernel memory limits are deprecated by the kernel and not implemented',
  kernelTCP: 'kernel TCP memory limits are not implemented',
  swappiness: 'memory.swappiness is not implemented',
  disableOOMKiller: 'disabling the OOM killer is not implemented',
  useHierarchy: 'memory.use_hierarchy is not implemented',
  checkBeforeUpdate: 'checkBeforeUpdate is not implemented',
};


export function parseResources(r: Reader, value: unknown, field = 'linux.resources'): OciResources {
  const raw = r.object(value, field);
  r.keys(raw, field, RESOURCE_KEYS, RESOURCE_REFUSED);
  const resources: OciResources = { limits: {}, devices: [] };
  if (isSet(raw.cpu)) parseCpu(r, r.object(raw.cpu, `${field}.cpu`), `${field}.cpu`, resources);
  if (isSet(raw.memory)) parseMemory(r, r.object(raw.memory, `${field}.memory`), `${field}.memory`, resources);
  if (isSet(raw.pids)) {
    const pids = r.object(raw.pids, `${field}.pids`);
    r.keys(pids, `${field}.pids`, ['limit']);
    resources.limits.pids = r.integer(pids.limit, `${field}.pids.limit`, -1);
  }
  if (isSet(raw.devices)) {
    resources.devices = r.array(raw.devices, `${field}.devices`).map((item, i) => parseDeviceRule(r, item, `${field}.devices[${i}]`));
    if (resources.devices.length > 0) checkExpressible(r, resources.devices, `${field}.devices`);
  }
  return resources;
}

function parseCpu(r: Reader, cpu: Json, field: string, resources: OciResources): void {
  r.keys(cpu, field, ['shares', 'quota', 'period', 'cpus', 'mems'], CPU_REFUSED);
  // 0 means "not set" for shares, quota and period in runc's reading of the spec
  if (isSet(cpu.shares)) {
    const shares = r.integer(cpu.shares, `${field}.shares`, 0, 262_144);
    if (shares > 0) resources.limits.cpuShares = Math.max(2, shares);
  }
  const period = isSet(cpu.period) ? r.integer(cpu.period, `${field}.period`, 0, 1_000_000) : 0;
  if (period > 0 && period < 1000) r.fail(`${field}.period`, `must be at least 1000 µs (the kernel's minimum), got ${period}`);
  if (isSet(cpu.quota)) {
    const quota = r.integer(cpu.quota, `${field}.quota`, -1);
    if (quota > 0) resources.limits.cpus = quota / (period || 100_000);
  }
  if (period > 0) resources.limits.cpuPeriod = period;
  for (const [key, limit] of [['cpus', 'cpusetCpus'], ['mems', 'cpusetMems']] as const) {
    if (!isSet(cpu[key]) || cpu[key] === '') continue;
    const list = r.string(cpu[key], `${field}.${key}`);
    if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) r.fail(`${field}.${key}`, `must be a list such as "0-2,4", got ${JSON.stringify(list)}`);
    resources.limits[limit] = list;
  }
}

function parseMemory(r: Reader, memory: Json, field: string, resources: OciResources): void {
  r.keys(memory, field, ['limit', 'reservation', 'swap'], MEMORY_REFUSED);
  if (isSet(memory.limit)) {
    const limit = r.integer(memory.limit, `${field}.limit`, -1);
    if (limit !== 0) resources.limits.memory = limit;
  }
  if (isSet(memory.swap)) {
    const swap = r.integer(memory.swap, `${field}.swap`, -1);
    if (swap !== 0) {
      const limit = resources.limits.memory;
      if (swap !== -1 && (limit === undefined || limit === -1))
        r.fail(`${field}.swap`, 'is memory + swap and needs memory.limit');
      if (swap !== -1 && limit !== undefined && swap < limit)
        r.fail(`${field}.swap`, `(${swap}) is memory + swap and must be at least memory.limit (${limit})`);
      resources.limits.memorySwap = swap;
    }
  }
  if (isSet(memory.reservation)) {
    const reservation = r.integer(memory.reservation, `${field}.reservation`, -1);
    if (reservation !== 0) resources.limits.memoryReservation = reservation;
  }
}

function parseDeviceRule(r: Reader, value: unknown, field: string): DeviceRule {
  const raw = r.object(value, field);
  r.keys(raw, field, ['allow', 'type', 'major', 'minor', 'access']);
  const rule: DeviceRule = {
    allow: r.boolean(raw.allow, `${field}.allow`),
    type: isSet(raw.type) ? r.oneOf(raw.type, ['a', 'b', 'c'] as const, `${field}.type`) : 'a',
    major: isSet(raw.major) ? r.integer(raw.major, `${field}.major`, -1, 0xfff) : '*',
    minor: isSet(raw.minor) ? r.integer(raw.minor, `${field}.minor`, -1, 0xfffff) : '*',
    access: 'rwm',
  };
  // -1 is how some engines write "any" (runc's Go structs use it as the wildcard)
  if (rule.major === -1) rule.major = '*';
  if (rule.minor === -1) rule.minor = '*';
  if (isSet(raw.access) && raw.access !== '') {
    const access = r.string(raw.access, `${field}.access`);
    if (!/^r?w?m?$/.test([...new Set(access)].sort((a, b) => 'rwm'.indexOf(a) - 'rwm'.indexOf(b)).join('')))
      r.fail(`${field}.access`, `must be made of r, w and m, got ${JSON.stringify(access)}`);
    rule.access = 'rwm'.split('').filter((c) => access.includes(c)).join('');
  }
  return rule;
}

/**
 * The OCI list is applied in order, each rule over the last; the v1 devices controller and @ctr/cgroups' v2
 * program hold one default and exceptions to it. Lists of that shape (every engine's) pass; others are
 * refused with @ctr/cgroups' reason rather than applied differently.
 */
function checkExpressible(r: Reader, rules: DeviceRule[], field: string): void {
  try {
    validateDeviceRules(rules);
  } catch (error) {
    if (!isCgroupError(error)) throw error;
    const match = /^invalid devices\[(\d+)\]: (.*)$/.exec(error.message);
    r.unsupported(match ? `${field}[${match[1]}]` : field, match ? match[2]! : error.message);
  }
}
