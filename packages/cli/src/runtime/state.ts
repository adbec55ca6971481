// state.ts — the state machine of a container, readable by every ctr command. Two files per container under
// <stateRoot>/containers: `<name>.json`, written by ctr (created with O_EXCL, which is also how duplicate
// names are refused without a lock; rewritten atomically with rename), and the directory `<name>/`, where the
// container's ctr-shim writes `exit.json` (atomically) once it has reaped the container, its `container.log`
// and its `attach.sock`. Phases: created → running → stopped → removed (both gone). "stopped" is read, not
// written: exit.json exists, or the shim is gone. Nobody else writes a container's files: ctr before and
// after the shim's life, the shim only its own directory. The writable layer (`layer`) stays until removal.
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateRoot } from './config.js';
import { CtrError } from './errors.js';
import { processStartTime } from '@ctr/netns';
import type { RootfsMode } from './layer.js';
import { removeTree, unlinkIfPresent } from './remove-tree.js';
import type { SecurityFlags, SecuritySummary } from './security.js';

export type ContainerStatus = 'created' | 'running' | 'stopped';

export interface ContainerState {
  name: string;
  id: string;
  /** host PID of the container's PID 1 (0 until spawned) */
  pid: number;
  /** the ctr process that created the container, and its start time */
  ctrPid: number;
  ctrPidStart: number;
  /** the container's ctr-shim (its parent on the host) and its start time; absent until spawned */
  shimPid?: number;
  shimPidStart?: number;
  /** the creating ctr's /proc/self/exe: until its start, the container's PID 1 still runs that image */
  runtimeExe?: string;
  /** what ctr last wrote; see `statusOf` for what is true now */
  status?: ContainerStatus;
  /** set until the create phase recorded all it made (see sweep.ts) */
  creating?: boolean;
  /** `ctr create`: its shim holds the start, which any ctr process may ask for (`ctr start`) */
  startBySupervisor?: boolean;
  /** removed when it stops: a foreground `ctr run`, or `--rm` */
  autoRemove?: boolean;
  /** the shim holds the output (log, attach); false for a foreground run that writes to ctr's own stdio */
  detached?: boolean;
  tty?: boolean;
  hostname: string;
  rootfs: string;
  /** `overlay`: writes go to `layer` and the rootfs is never modified; `rw` (--rootfs-rw): into the rootfs */
  rootfsMode: RootfsMode;
  /** the container's writable layer directory (upper + work), recorded before it is created */
  layer?: string;
  command: string[];
  /** ISO times */
  created?: string;
  started: string;
  network: 'bridge' | 'none';
  ip?: string;
  hostIfname?: string;
  publish?: string[];
  /** cgroup path below ctr's own group in each hierarchy, relative (e.g. `ctr/<id>`) */
  cgroup?: string;
  /** /proc/self/cgroup of the creating ctr: what `cgroup` is relative to */
  cgroupOwner?: string;
  limits?: Record<string, number>;
  /** `-v`/`--mount`/`--tmpfs` as `SOURCE:DEST[:ro]` (SOURCE `tmpfs` for a tmpfs), and the `--ulimit` values */
  mounts?: string[];
  ulimits?: string[];
  /** capabilities, seccomp, no_new_privs, read-only root, user namespace; `privileged` when all are off */
  security?: SecuritySummary;
  /** what `ctr exec` needs to run a program as PID 1 was run: the security flags, `-e` entries and `-w` */
  securityFlags?: SecurityFlags;
  env?: string[];
  workdir?: string;
  /** `--stop-timeout`: seconds between a stop signal and SIGKILL (`ctr stop` without -t); default 10 */
  stopTimeout?: number;
  /** set once the cgroup, veth and lease of a stopped container were released (its OOM count kept here) */
  released?: boolean;
  oomKilled?: boolean;
}

/** What the shim wrote when it reaped the container (see init/ctr-shim.c). */
export interface ExitRecord {
  exitCode: number | null;
  signal: number | null;
  finishedAt: string;
}

export const containersDir = (): string => path.join(stateRoot, 'containers');
const fileOf = (name: string): string => path.join(containersDir(), `${name}.json`);
/** A file being written by this process, `.tmp-PID-NAME`; a dead writer's is debris for the sweep. */
const tmpFileOf = (name: string): string => path.join(containersDir(), `.tmp-${process.pid}-${name}`);
/** The shim's directory: exit.json, container.log(.1), attach.sock. */
export const containerDir = (name: string): string => path.join(containersDir(), name);

/**
 * Reserves `state.name` by creating its state file exclusively; throws ERR_CTR_NAME_IN_USE when a name the
 * user chose is taken. With `rename` (the name was generated), a taken name is replaced by `rename()` and tried
 * again, as docker does: generateName's check and this O_EXCL create are two steps, so a sibling `ctr run` can
 * win the same generated name between them, and a name nobody chose must never fail a run.
 */
export function reserveName(state: ContainerState, rename?: () => void): void {
  mkdirSync(containersDir(), { recursive: true, mode: 0o700 });
  // Written in full under a temporary name, then linked to its real name: link(2) fails with EEXIST when the
  // name is taken, and a ctr killed at any point leaves either nothing, a whole state file, or a temporary
  // file that names its dead writer (the sweep removes those).
  const tmp = tmpFileOf(state.name);
  try {
    for (;;) {
      writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
      try {
        linkSync(tmp, fileOf(state.name));
        return;
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
  } finally {
    unlinkIfPresent(tmp);
  }
}

/** Rewrites the state file atomically (rename over it), so readers never see half a file. */
export function updateState(state: ContainerState): void {
  const tmp = tmpFileOf(state.name);
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, fileOf(state.name));
}

/**
 * Rewrites the state file only while the container still exists, for commands that are not its owner (the
 * sweep). The new file is written inside the container's own directory, which removeState deletes first, then
 * renamed over the state file: a concurrent `ctr rm` either removes the rewritten file after it, or makes this
 * fail with ENOENT. A plain updateState here could bring back, for good, a container another command had just
 * removed (seen with three `ctr rm -f` at once). Returns false when the container is gone.
 */
export function updateStateIfPresent(state: ContainerState): boolean {
  const tmp = path.join(containerDir(state.name), `.state-${process.pid}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, fileOf(state.name));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Removes the temporary files of ctr processes that died while writing (see reserveName). */
export function removeDeadWritersFiles(): void {
  let names: string[];
  try {
    names = readdirSync(containersDir());
  } catch {
    return;
  }
  for (const entry of names) {
    const m = /^\.tmp-(\d+)-/.exec(entry);
    if (m && processStartTime(Number(m[1])) === undefined) unlinkIfPresent(path.join(containersDir(), entry));
  }
}

/** Removes both files of a container: the shim's directory first, the name reservation last. */
export function removeState(name: string): void {
  removeTree(containerDir(name), ['exit.json']);
  unlinkIfPresent(fileOf(name));
}

/** The state file of `name` as it is now; undefined when it is gone or unreadable. */
export function readState(name: string): ContainerState | undefined {
  try {
    return JSON.parse(readFileSync(fileOf(name), 'utf8')) as ContainerState;
  } catch {
    return undefined;
  }
}

/** Every state file, live or stale; unreadable files are skipped. */
export function readAllStates(): ContainerState[] {
  let names: string[];
  try {
    names = readdirSync(containersDir());
  } catch {
    return [];
  }
  return names.flatMap((entry) => {
    const state = entry.endsWith('.json') ? readState(entry.slice(0, -'.json'.length)) : undefined;
    return state ? [state] : [];
  });
}

const alive = (pid: number | undefined, start: number | undefined): boolean =>
  pid !== undefined && pid > 0 && processStartTime(pid) === start;

/** True while the ctr process that created this container runs (it may still be setting it up). */
export function creatorAlive(state: ContainerState): boolean {
  return alive(state.ctrPid, state.ctrPidStart);
}

/** True while the container's ctr-shim runs: then only the shim's container decides when it stops. */
export function supervisorAlive(state: ContainerState): boolean {
  return alive(state.shimPid, state.shimPidStart);
}

/** True when someone still owns the container's resources (its creator or its shim): never swept. */
export function isLive(state: ContainerState): boolean {
  return creatorAlive(state) || supervisorAlive(state);
}

export function readExit(name: string): ExitRecord | undefined {
  try {
    return JSON.parse(readFileSync(path.join(containerDir(name), 'exit.json'), 'utf8')) as ExitRecord;
  } catch {
    return undefined;
  }
}

/**
 * True once the container's PID 1 has exec'd its command: until then it is a copy of the creating ctr, so
 * /proc/PID/exe still names the runtime's executable. This is what tells "created" from "running" when the
 * creating ctr died between the start and writing "running".
 */
export function hasStarted(state: ContainerState): boolean {
  if (state.status === 'running' || state.status === 'stopped') return true;
  try {
    return readlinkSync(`/proc/${state.pid}/exe`) !== state.runtimeExe;
  } catch {
    return false; // gone
  }
}

/**
 * The phase now: stopped once the shim recorded an exit or is gone (a killed shim takes its container with
 * it: PR_SET_PDEATHSIG); running once its command runs; else created. A copy read while its creator was still
 * recording (`creating`: no address yet) stays created even if the command runs by now: the creator clears
 * `creating` before the start, so the process looked at after the read is newer than the copy, and `ps` would
 * list a running container without its IP.
 */
export function statusOf(state: ContainerState): ContainerStatus {
  if (state.status === 'stopped' || state.released) return 'stopped';
  if (existsSync(path.join(containerDir(state.name), 'exit.json'))) return 'stopped';
  if (state.shimPid !== undefined && !supervisorAlive(state)) return 'stopped';
  if (state.creating) return 'created';
  if (state.shimPid !== undefined && state.pid > 0 && hasStarted(state)) return 'running';
  return 'created';
}

/** docker's convention: the exit code, or 128+N for a death by signal N; undefined when unknown. */
export function exitCodeOf(exit: ExitRecord | undefined): number | undefined {
  if (!exit) return undefined;
  return exit.signal !== null ? 128 + exit.signal : (exit.exitCode ?? undefined);
}

/** Running containers (a reserved name whose container is not spawned yet is not listed). */
export function listContainers(): ContainerState[] {
  return readAllStates().filter((s) => s.pid > 0 && statusOf(s) === 'running');
}

/**
 * The container `ref` names: an exact name, else an exact id, else a unique id prefix. One line when there is
 * none or more than one.
 */
export function findContainer(ref: string): ContainerState {
  const all = readAllStates();
  const byName = all.find((s) => s.name === ref) ?? all.find((s) => s.id === ref);
  if (byName) return byName;
  const matches = ref.length > 0 ? all.filter((s) => s.id.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new CtrError(`"${ref}" matches ${matches.length} containers (${matches.map((s) => s.name).join(', ')}); give more of the id or the name`, {
      code: 'ERR_CTR_AMBIGUOUS',
    });
  }
  throw new CtrError(`no such container: "${ref}" (see 'ctr ps -a')`, { code: 'ERR_CTR_NO_SUCH_CONTAINER' });
}
