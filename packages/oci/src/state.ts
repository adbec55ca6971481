// state.ts — the state directory under --root (default /run/ctrun): one 0700 directory per container id
// holding state.json, written atomically (temp file + fsync + rename, so a reader never sees half of it).
// What is stored is what cannot be asked of the kernel later (bundle, creation time, the init's pid and its
// start time); the status is derived each time, as runc does:
//   - the init's /proc/PID/stat is gone, a zombie, or has another start time (pid reused) → stopped
//   - the `exec.fifo` the init blocks on until `start` is still in the directory → created
//   - the cgroup freezer file the record names reads frozen → paused
//   - otherwise → running
// The shape printed by `state` and fed to hooks is runc's (runtime-spec runtime.md "State").
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTime } from '@ctr/netns';
import type { OciHook } from './config/model.js';
import { ioError, OciError } from './errors.js';
import type { CgroupLocation } from './runtime/cgroup.js';
import { OCI_VERSION } from './version.js';

export const DEFAULT_ROOT = '/run/ctrun';
export const STATE_FILE = 'state.json';
/** The FIFO a created container's init blocks on until `start` opens it (runc's name). */
export const EXEC_FIFO = 'exec.fifo';

/** runtime.md's statuses (creating: only what hooks are shown during create) and runc's paused. */
export type Status = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** What ctrun stores for a container. */
export interface StateRecord {
  id: string;
  /** the container's init as seen from the host */
  pid: number;
  /** its start time (clock ticks since boot, /proc/PID/stat field 22): tells a reused pid apart */
  pidStart: number;
  /** absolute bundle path */
  bundle: string;
  /** absolute root filesystem path */
  rootfs: string;
  /** ISO 8601 creation time */
  created: string;
  owner: string;
  annotations: Record<string, string>;
  /** the freezer file that says whether the container is paused: v1 freezer.state or v2 cgroup.freeze */
  freezer?: string;
  /** where the container's cgroup is (absent in records of containers created without one) */
  cgroup?: CgroupLocation;
  /** config.json's poststart and poststop hooks, kept for `start` and `delete` (the bundle may be gone by then) */
  poststart?: OciHook[];
  poststop?: OciHook[];
}

/** runc's `state` output. */
export interface OciState {
  ociVersion: string;
  id: string;
  pid: number;
  status: Status;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
}

/** runc's rule for ids: letters, digits and _ + - . — never "." or "..", which would name a directory. */
export function validateId(id: string): void {
  if (!/^[\w+\-.]+$/.test(id) || id === '.' || id === '..')
    throw new OciError(`invalid container id format: ${JSON.stringify(id)} (use letters, digits, _ + - .)`, { code: 'USAGE' });
}

export class StateStore {
  constructor(readonly root: string = DEFAULT_ROOT) {}

  dir(id: string): string {
    validateId(id);
    return join(this.root, id);
  }

  /** Makes the container's directory and writes its record; an id in use is refused. */
  create(record: StateRecord): void {
    this.claim(record.id);
    this.write(record);
  }

  /** Makes the container's empty directory (mkdir is the atomic claim of the id); returns it. */
  claim(id: string): string {
    const dir = this.dir(id);
    try {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
      mkdirSync(dir, { mode: 0o700 });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST')
        throw new OciError(`container with id exists: ${id}`, { code: 'EXISTS', path: dir, cause });
      throw ioError('create state directory', dir, cause);
    }
    return dir;
  }

  /** Replaces state.json atomically. */
  write(record: StateRecord): void {
    writeFileAtomic(join(this.dir(record.id), STATE_FILE), JSON.stringify(record), 0o600);
  }

  /** The stored record; "container does not exist" (runc's words, which engines match) when there is none. */
  read(id: string): StateRecord {
    const dir = this.dir(id);
    const file = join(dir, STATE_FILE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT')
        throw new OciError('container does not exist', { code: 'NOT_FOUND', path: dir, cause });
      throw ioError('read', file, cause);
    }
    try {
      const record = JSON.parse(text) as StateRecord;
      if (record.id !== id || !Number.isInteger(record.pid) || typeof record.bundle !== 'string') throw new Error('fields missing');
      return record;
    } catch (cause) {
      throw new OciError(`${file} is not a ctrun state file: ${(cause as Error).message}`, { code: 'INVALID_STATE', path: file, cause });
    }
  }

  /** Ids with a state directory, sorted. A missing root is an empty list. */
  ids(): string[] {
    try {
      return readdirSync(this.root, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(this.root, entry.name, STATE_FILE)))
        .map((entry) => entry.name)
        .sort();
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError('read', this.root, cause);
    }
  }

  /** The container's state, status read from the kernel now. */
  state(id: string): OciState {
    return this.stateOf(this.read(id));
  }

  stateOf(record: StateRecord): OciState {
    const status = deriveStatus(record, this.dir(record.id));
    const state: OciState = {
      ociVersion: OCI_VERSION,
      id: record.id,
      // runc reports pid 0 for a stopped container: the number may already be another process
      pid: status === 'stopped' ? 0 : record.pid,
      status,
      bundle: record.bundle,
      rootfs: record.rootfs,
      created: record.created,
      owner: record.owner,
    };
    if (Object.keys(record.annotations).length > 0) state.annotations = record.annotations;
    return state;
  }

  /** Removes the container's directory (its fifo, state and anything else in it). */
  remove(id: string): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }
}

/**
 * Writes `text` to `file` through a temporary file in the same directory, fsync'ed and renamed over it: a
 * reader (an engine polling a pid file, another ctrun reading state.json) sees the old file or the whole new
 * one, never a part.
 */
export function writeFileAtomic(file: string, text: string, mode: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (cause) {
    rmSync(temp, { force: true });
    throw ioError('write', file, cause);
  }
}

export function deriveStatus(record: StateRecord, dir: string): Status {
  if (processStartTime(record.pid) !== record.pidStart) return 'stopped';
  if (existsSync(join(dir, EXEC_FIFO))) return 'created';
  if (record.freezer !== undefined && isFrozen(record.freezer)) return 'paused';
  return 'running';
}

// v1 freezer.state reads FREEZING while the kernel is still stopping tasks; only FROZEN is paused.
function isFrozen(file: string): boolean {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === 'FROZEN' || text === '1';
  } catch {
    return false;
  }
}
