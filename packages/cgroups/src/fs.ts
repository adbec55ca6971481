// fs.ts — the only module that touches cgroupfs: read, write, mkdir and rmdir of cgroup directories, and the
// bpf(2) attachment of a v2 device filter to a group's directory, with every failure wrapped in a CgroupError
// naming the file, the directory and the value written.
// Kernel docs: Documentation/admin-guide/cgroup-v1/cgroups.rst, Documentation/admin-guide/cgroup-v2.rst, bpf(2).
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BPF_CGROUP_DEVICE, BPF_PROG_TYPE_CGROUP_DEVICE, bpfProgAttach, bpfProgLoad, bpfProgQuery, closeFd,
} from '@ctr/ns-native';
import { CgroupError } from './errors.js';

// O_TRUNC without O_CREAT, as runc's WriteFile: a missing control file must fail with ENOENT (the kernel
// never lets anyone create one), and in a fake tree a shorter value must not leave the old tail behind.
const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_TRUNC;

function wrap(error: unknown, action: 'read' | 'write' | 'open' | 'mkdir' | 'rmdir' | 'watch' | 'attach a device filter to' | 'query', dir: string, file?: string, value?: string): CgroupError {
  const e = error as NodeJS.ErrnoException;
  const code = e.code ?? 'EIO';
  const what = file === undefined ? dir : `\`${file}\` in ${dir}`;
  const shown = value === undefined ? '' : ` (value '${value}')`;
  return new CgroupError(`${action} ${what}: ${code}${shown}`, {
    code,
    ...(e.errno !== undefined && { errno: e.errno }),
    syscall: e.syscall ?? action,
    path: file === undefined ? dir : path.join(dir, file),
    ...(value !== undefined && { value }),
    cause: error,
  });
}

/** Reads a control file, without the trailing newline. */
export function readCgroupFile(dir: string, file: string): string {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8').trim();
  } catch (error) {
    throw wrap(error, 'read', dir, file);
  }
}

/** Reads a control file holding a number or "max" (pids.max, memory.max); null = "max". */
export function readMaxNumber(dir: string, file: string): number | null {
  const text = readCgroupFile(dir, file);
  return text === 'max' ? null : Number(text);
}

/** Like readCgroupFile, but undefined when the file does not exist (older kernel, controller not enabled). */
export function readOptionalCgroupFile(dir: string, file: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw wrap(error, 'read', dir, file);
  }
}

/** Writes one value to a control file in a single write(2), as the kernel parses each write separately. */
export function writeCgroupFile(dir: string, file: string, value: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path.join(dir, file), WRITE_FLAGS);
    fs.writeSync(fd, value);
  } catch (error) {
    throw wrap(error, 'write', dir, file, value);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Opens a group's control file for a later write by another process (O_WRONLY; libuv adds O_CLOEXEC to every
 * open). The kernel checks a migration against the credentials and cgroup namespace the file was opened with
 * (since Linux 5.16), so the opener's rights travel with the fd.
 */
export function openCgroupFile(dir: string, file: string): number {
  try {
    return fs.openSync(path.join(dir, file), fs.constants.O_WRONLY);
  } catch (error) {
    throw wrap(error, 'open', dir, file);
  }
}

/** Opens a group's directory (O_RDONLY | O_DIRECTORY, CLOEXEC as every libuv open) for CLONE_INTO_CGROUP. */
export function openGroupDir(dir: string): number {
  try {
    return fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (error) {
    throw wrap(error, 'open', dir);
  }
}

/** Closes fds of openCgroupFile / openGroupDir. */
export function closeCgroupFds(fds: readonly number[]): void {
  for (const fd of fds) fs.closeSync(fd);
}

// A group's directory as bpf(2) wants it: O_RDONLY | O_DIRECTORY, the fd only names the cgroup.
function withGroupFd<T>(dir: string, action: 'attach a device filter to' | 'query', use: (fd: number) => T): T {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    return use(fd);
  } catch (error) {
    throw wrap(error, action, dir);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Loads `program` as a BPF_PROG_TYPE_CGROUP_DEVICE program and attaches it to the group, replacing the one
 * attached before (attach flags 0: one program, which groups below cannot override). The program fd is closed
 * at once: the attachment holds the program, and the kernel frees both when the group is removed.
 */
export function attachDeviceFilter(dir: string, program: Buffer): void {
  withGroupFd(dir, 'attach a device filter to', (groupFd) => {
    const progFd = bpfProgLoad(BPF_PROG_TYPE_CGROUP_DEVICE, program, 'GPL');
    try {
      bpfProgAttach(groupFd, progFd, BPF_CGROUP_DEVICE);
    } finally {
      closeFd(progFd);
    }
  });
}

/** Ids of the device programs attached to the group itself (not its ancestors). */
export function deviceFilterIds(dir: string): number[] {
  return withGroupFd(dir, 'query', (fd) => bpfProgQuery(fd, BPF_CGROUP_DEVICE).ids);
}

/** True when the control file exists (feature probes: `cgroup.kill`, `memory.memsw.limit_in_bytes`). */
export function hasCgroupFile(dir: string, file: string): boolean {
  return fs.existsSync(path.join(dir, file));
}

/**
 * Parses "key value" lines (cpu.stat, memory.events, memory.oom_control, pids.events) into numbers.
 * Values that are not integers ("max") are left out.
 */
export function parseKeyedLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value && /^-?\d+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}

/** Reads a keyed control file; see parseKeyedLines. */
export function readKeyedFile(dir: string, file: string): Map<string, number> {
  return parseKeyedLines(readCgroupFile(dir, file));
}

/**
 * PIDs listed in `cgroup.procs` (thread-group leaders), in the caller's PID namespace; none when the group is
 * gone or going. ENODEV: while another process rmdir()s the group, kernfs refuses to open or read its files
 * (kernfs_get_active fails on a deactivated node), and cgroupfs only removes a group that holds no process.
 * Two ctr commands remove the same group when one's sweep finds a container another is removing.
 */
export function readProcs(dir: string): number[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENODEV') return [];
    throw wrap(error, 'read', dir, 'cgroup.procs');
  }
  return text.split('\n').filter(Boolean).map(Number);
}

/** Creates the group and any missing ancestors; an existing group is fine. */
export function makeGroup(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw wrap(error, 'mkdir', dir);
  }
}

/**
 * Calls `onChange` whenever the kernel signals a change of the file. cgroupfs raises inotify(7) IN_MODIFY on
 * `memory.events` and `cgroup.events` (cgroup-v2.rst: "a value change in this file generates a file
 * modified event"); cgroup v1 files raise nothing. Errors of the watch (group removed) end it.
 */
export function watchCgroupFile(dir: string, file: string, onChange: () => void): { close(): void } {
  try {
    const watcher = fs.watch(path.join(dir, file), () => onChange());
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch (error) {
    throw wrap(error, 'watch', dir, file);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Removes a group and the child groups below it, deepest first. A missing group is fine (idempotent).
 * rmdir(2) on cgroupfs succeeds although the directory holds control files; it fails with EBUSY while the
 * group has child groups or is populated, and briefly after the last task exits while the kernel takes the
 * css offline, so EBUSY is retried with backoff (as runc's RemovePath does) before giving up. The rmdir comes
 * first and the listing only after an EBUSY: a container's group seldom has children, and listing a v1
 * group's control files cost as much as removing it.
 */
export async function removeGroup(dir: string): Promise<void> {
  let childrenRemoved = false;
  for (let delay = 10; ; ) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || delay > 640) throw wrap(error, 'rmdir', dir);
    }
    if (!childrenRemoved) {
      childrenRemoved = true;
      if (await removeChildGroups(dir)) continue;
    }
    await sleep(delay);
    delay *= 2;
  }
}

/** Removes the child groups of `dir`; true when there were any. */
async function removeChildGroups(dir: string): Promise<boolean> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw wrap(error, 'read', dir);
  }
  const children = entries.filter((entry) => entry.isDirectory());
  for (const child of children) await removeGroup(path.join(dir, child.name));
  return children.length > 0;
}
