// state.ts — one JSON file per running container under <stateRoot>/containers, written by the `ctr run`
// process that supervises it. The file is created with O_EXCL, which is also how duplicate names are refused
// without a lock. A container whose supervisor is gone (kill -9, crash) is "stale": `sweepStale` releases
// what it held (cgroups, IP lease, writable layer, state file) the next time any ctr command runs.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { stateRoot } from './config.js';
import { CtrError } from './errors.js';
import { processStartTime } from '@ctr/netns';
import type { RootfsMode } from './layer.js';
import type { SecuritySummary } from './security.js';

export interface ContainerState {
  name: string;
  id: string;
  /** host PID of the container's PID 1 (0 until started) */
  pid: number;
  /** the supervising `ctr run` process and its start time */
  ctrPid: number;
  ctrPidStart: number;
  hostname: string;
  rootfs: string;
  /** `overlay`: writes go to `layer` and the rootfs is never modified; `rw` (--rootfs-rw): into the rootfs */
  rootfsMode: RootfsMode;
  /** the container's writable layer directory (upper + work), recorded before it is created */
  layer?: string;
  command: string[];
  /** ISO time */
  started: string;
  network: 'bridge' | 'none';
  ip?: string;
  hostIfname?: string;
  publish?: string[];
  /** cgroup path below ctr's own group in each hierarchy, relative (e.g. `ctr/<id>`) */
  cgroup?: string;
  /** /proc/self/cgroup of the supervising `ctr run`: what `cgroup` is relative to */
  cgroupOwner?: string;
  limits?: Record<string, number>;
  /** capabilities, seccomp, no_new_privs, read-only root, user namespace; `privileged` when all are off */
  security?: SecuritySummary;
}

export const containersDir = (): string => path.join(stateRoot, 'containers');
const fileOf = (name: string): string => path.join(containersDir(), `${name}.json`);

/**
 * Reserves `state.name` by creating its state file exclusively; throws ERR_CTR_NAME_IN_USE when a name the
 * user chose is taken. With `rename` (the name was generated), a taken name is replaced by `rename()` and tried
 * again, as docker does: generateName's check and this O_EXCL create are two steps, so a sibling `ctr run` can
 * win the same generated name between them, and a name nobody chose must never fail a run.
 */
export function reserveName(state: ContainerState, rename?: () => void): void {
  mkdirSync(containersDir(), { recursive: true, mode: 0o700 });
  let fd: number;
  for (;;) {
    try {
      fd = openSync(fileOf(state.name), 'wx', 0o600);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (rename) {
        rename();
        continue;
      }
      throw new CtrError(`the container name "${state.name}" is already in use; choose another --name`, {
        code: 'ERR_CTR_NAME_IN_USE',
        path: fileOf(state.name),
      });
    }
  }
  try {
    writeFileSync(fd, JSON.stringify(state));
  } finally {
    closeSync(fd);
  }
}

/** Rewrites the state file atomically (rename over it), so readers never see half a file. */
export function updateState(state: ContainerState): void {
  const tmp = `${fileOf(state.name)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, fileOf(state.name));
}

export function removeState(name: string): void {
  rmSync(fileOf(name), { force: true });
}

/** Every state file, live or stale; unreadable or half-written files are skipped. */
export function readAllStates(): ContainerState[] {
  let names: string[];
  try {
    names = readdirSync(containersDir());
  } catch {
    return [];
  }
  const states: ContainerState[] = [];
  for (const entry of names) {
    if (!entry.endsWith('.json')) continue;
    try {
      states.push(JSON.parse(readFileSync(path.join(containersDir(), entry), 'utf8')) as ContainerState);
    } catch {
      // A file being created right now may still be empty; it is not stale, just young.
    }
  }
  return states;
}

/** True when the `ctr run` that owns this state is still alive. */
export function isLive(state: ContainerState): boolean {
  return processStartTime(state.ctrPid) === state.ctrPidStart;
}

/** Containers whose supervising `ctr run` is alive and whose process exists (a reserved name is not listed). */
export function listContainers(): ContainerState[] {
  return readAllStates().filter((s) => s.pid > 0 && isLive(s));
}
