// limits.ts — `--cpus`, `--memory`, `--memory-swap`, `--pids-limit` and the device rules → one cgroup per
// container via @ctr/cgroups, which hides whether the host runs cgroup v1, v2 or both. Every container gets
// its group, limits or not: the device allow-list lives there. Groups live under `ctr/<id>` below ctr's own
// cgroup in each hierarchy (as runc does), so the host's accounting of ctr still covers them.
import { readFileSync } from 'node:fs';
import {
  CONTAINER_CONTROLLERS, createCgroupManager, parseSize, validateLimits, type CgroupJoin, type CgroupLimits, type CgroupManager,
  type DeviceRule,
} from '@ctr/cgroups';
import { CtrError, asCtrError, invalid } from './errors.js';
import type { ContainerState } from './state.js';

export interface LimitOptions {
  /** CPUs, e.g. "0.5" or 0.5 */
  cpus?: string | number;
  /** bytes or a size like "64m" */
  memory?: string | number;
  /** memory + swap; "-1" = unlimited swap */
  memorySwap?: string | number;
  /** maximum processes; "-1" = unlimited */
  pidsLimit?: string | number;
}

export interface ContainerCgroup {
  /** relative path below ctr's own cgroup, recorded in the state file */
  path: string;
  /** /proc/self/cgroup of the `ctr run` that made the group: where `path` is relative to */
  ownerCgroups: string;
  /** what the container's first process needs to join the group as it is cloned (spawnContainer's `cgroup`) */
  openJoin(): CgroupJoin;
  oomKills(): number;
  destroy(): Promise<void>;
}

export interface PreparedLimits {
  limits: CgroupLimits;
  memory?: number;
  /** what `ctr ps --json` shows */
  summary?: Record<string, number>;
  /** creates the group and applies the limits and the device rules */
  create(id: string, devices: readonly DeviceRule[]): ContainerCgroup;
}

function size(flag: string, value: string | number): number {
  if (typeof value === 'number') return value;
  if (value.trim() === '-1') return -1;
  try {
    return parseSize(value);
  } catch {
    throw invalid(`invalid ${flag} "${value}": use a size like 64m, 512k or 1g`);
  }
}

function num(flag: string, value: string | number, integer: boolean): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'string' && !/^-?\d+(\.\d+)?$/.test(value.trim())) {
    throw invalid(`invalid ${flag} "${value}": expected a ${integer ? 'whole ' : ''}number`);
  }
  if (integer && !Number.isInteger(n)) throw invalid(`invalid ${flag} "${value}": expected a whole number`);
  return n;
}

const flagOf: Record<string, string> = { cpus: '--cpus', memory: '--memory', memorySwap: '--memory-swap', pids: '--pids-limit' };

/** Where container `id`'s group lives, below ctr's own cgroup in each hierarchy. */
export const cgroupPathOf = (id: string): string => `ctr/${id}`;

/** Parses and validates the limit flags; throws before anything is created. */
export function prepareLimits(opts: LimitOptions): PreparedLimits {
  const limits: CgroupLimits = {};
  if (opts.cpus !== undefined) limits.cpus = num('--cpus', opts.cpus, false);
  if (opts.memory !== undefined) limits.memory = size('--memory', opts.memory);
  if (opts.memorySwap !== undefined) limits.memorySwap = size('--memory-swap', opts.memorySwap);
  if (opts.pidsLimit !== undefined) limits.pids = num('--pids-limit', opts.pidsLimit, true);
  // Unlike docker (which allows as much swap again), a memory limit without --memory-swap means no swap:
  // the limit is then what the container can really use, and a hog meets the OOM killer at that line.
  if (limits.memory !== undefined && limits.memory > 0 && limits.memorySwap === undefined) limits.memorySwap = limits.memory;
  try {
    validateLimits(limits);
  } catch (err) {
    const e = err as Error;
    const field = /^invalid (\w+)/.exec(e.message)?.[1] ?? '';
    // The library names the parsed number; the user must see what they typed ("1k", not 1024).
    const given = ({ cpus: opts.cpus, memory: opts.memory, memorySwap: opts.memorySwap, pids: opts.pidsLimit } as Record<string, unknown>)[field];
    throw invalid(e.message.replace(/^invalid \w+ (\S+):/, (_, parsed: string) =>
      `invalid ${flagOf[field] ?? field} ${given === undefined || String(given) === parsed ? parsed : `"${String(given)}" (${parsed})`}:`));
  }
  const asked = Object.keys(limits).length > 0;
  return {
    limits,
    ...(limits.memory !== undefined && limits.memory > 0 ? { memory: limits.memory } : {}),
    ...(asked ? { summary: { ...limits } as Record<string, number> } : {}),
    create(id, devices) {
      const path = cgroupPathOf(id);
      const ownerCgroups = readFileSync('/proc/self/cgroup', 'utf8');
      let manager: CgroupManager | undefined;
      try {
        manager = createCgroupManager({ path, procCgroupText: ownerCgroups, controllers: CONTAINER_CONTROLLERS });
        manager.create();
      } catch (err) {
        // a hierarchy made before another one failed must not stay behind
        void manager?.destroy();
        // No fallback without a group: it is what keeps root inside from opening the host's devices.
        throw new CtrError(`cannot create the container's cgroup (it holds the device rules): ${(err as Error).message}`, {
          code: (err as { code?: string }).code ?? 'ERR_CTR_CGROUP', cause: err,
        });
      }
      try {
        // device rules before any process joins: v1 accepts `a` only in a group without children, and the
        // container must never run under its parent's allow-all
        manager.apply({ ...limits, devices });
      } catch (err) {
        void manager.destroy();
        throw asCtrError(err, 'cannot apply the limits and device rules');
      }
      return {
        path,
        ownerCgroups,
        openJoin: () => manager.openJoin(),
        oomKills: () => manager.oomKills(),
        destroy: () => manager.destroy(),
      };
    },
  };
}

/**
 * The cgroup of a container that this or another ctr process started: placed below the cgroups its `ctr run`
 * was in, not the caller's (`ctr ps` from another session must not look, or clean up, in the wrong place).
 */
export function containerCgroup(state: ContainerState): CgroupManager | undefined {
  if (!state.cgroup) return undefined;
  return createCgroupManager({
    path: state.cgroup, controllers: CONTAINER_CONTROLLERS, ...(state.cgroupOwner ? { procCgroupText: state.cgroupOwner } : {}),
  });
}
