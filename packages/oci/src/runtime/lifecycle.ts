// lifecycle.ts — the verbs that act on a created container through its state record: start (open exec.fifo,
// poststart hooks), kill, delete (poststop hooks, cgroup and state removed), ps and update. Status words and
// refusals are runc's, which engines match ("container does not exist", "container not running").
// The container's processes are signalled through pidfds opened after the start time was checked, so a
// pid reused by an unrelated process is never hit.
import { constants, openSync, closeSync, readFileSync, readSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { CgroupManager } from '@ctr/cgroups';
import { closeFd, pidfdOpen, pidfdSignal, pidfdWait } from '@ctr/ns-native';
import { processStartTime } from '@ctr/netns';
import type { Command, GlobalOptions } from '../args.js';
import { parseResources } from '../config/resources.js';
import { Reader } from '../config/reader.js';
import { OciError } from '../errors.js';
import { runHooks } from '../hook-runner.js';
import { writeAll, type Logger } from '../log.js';
import { EXEC_FIFO, StateStore, type OciState, type StateRecord } from '../state.js';
import { cgroupLimits, cgroupManager } from './cgroup.js';

type Of<V extends Command['verb']> = Extract<Command, { verb: V }>;

/** How long delete waits for a killed init to be gone. */
const KILL_WAIT_MS = 5000;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function wrongState(message: string): OciError {
  return new OciError(message, { code: 'WRONG_STATE' });
}

function groupOf(record: StateRecord): CgroupManager | undefined {
  return record.cgroup === undefined ? undefined : cgroupManager(record.cgroup);
}

/** A pidfd of the container's init, or undefined when that process is gone (its pid may be another's now). */
export function initPidfd(record: StateRecord): number | undefined {
  let fd: number;
  try {
    fd = pidfdOpen(record.pid);
  } catch {
    return undefined;
  }
  // checked after the open: the fd now pins this very process, whose start time says whether it is ours
  if (processStartTime(record.pid) !== record.pidStart) {
    closeFd(fd);
    return undefined;
  }
  return fd;
}

export async function start(command: Of<'start'>, globals: GlobalOptions, logger: Logger): Promise<void> {
  const store = new StateStore(globals.root);
  const record = store.read(command.id);
  const state = store.stateOf(record);
  if (state.status === 'stopped') throw wrongState('cannot start a container that has stopped');
  if (state.status !== 'created') throw wrongState('cannot start an already running container');
  const fifo = join(store.dir(command.id), EXEC_FIFO);
  awaitInit(fifo, record);
  rmSync(fifo, { force: true });
  // runtime.md: a failing poststart hook is a warning; the container keeps running
  for (const hook of record.poststart ?? []) {
    await runHooks('poststart', [hook], { ...store.stateOf(record), status: 'running' }).catch((error: Error) => logger.warn(error.message));
  }
}

/**
 * Opens exec.fifo for reading, which releases the init blocked opening it for writing, and reads the byte it
 * writes before its exec. O_NONBLOCK, so that an init that died (no writer will ever come) is noticed rather
 * than waited for: read() then returns end-of-file while the process is gone.
 */
function awaitInit(fifo: string, record: StateRecord): void {
  let fd: number;
  try {
    fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw new OciError(`cannot start the container: open ${fifo}: ${(cause as NodeJS.ErrnoException).code}`, { code: 'IO', path: fifo, cause });
  }
  try {
    const byte = Buffer.alloc(1);
    for (;;) {
      let n = -1;
      try {
        n = readSync(fd, byte, 0, 1, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
      if (n === 1) return;
      // 0: no writer yet (the init is between its last setup step and the open) or none any more (it died)
      if (n === 0 && processStartTime(record.pid) !== record.pidStart) throw wrongState('cannot start a container that has stopped');
      sleep(1);
    }
  } finally {
    closeSync(fd);
  }
}

export function kill(command: Of<'kill'>, globals: GlobalOptions): void {
  const store = new StateStore(globals.root);
  const record = store.read(command.id);
  const status = store.stateOf(record).status;
  if (status === 'stopped') throw new OciError('container not running', { code: 'NOT_RUNNING' });
  if (command.all) {
    const group = groupOf(record);
    for (const pid of group?.pids() ?? [record.pid]) signalPid(pid, command.signal);
    return;
  }
  const fd = initPidfd(record);
  if (fd === undefined) throw new OciError('container not running', { code: 'NOT_RUNNING' });
  try {
    if (!pidfdSignal(fd, command.signal)) throw new OciError('container not running', { code: 'NOT_RUNNING' });
  } finally {
    closeFd(fd);
  }
}

function signalPid(pid: number, signal: number): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // exited since the group was read
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export async function remove(command: Of<'delete'>, globals: GlobalOptions, logger: Logger): Promise<void> {
  const store = new StateStore(globals.root);
  let record: StateRecord;
  try {
    record = store.read(command.id);
  } catch (error) {
    // runc: `delete --force` of an id that does not exist succeeds (engines clean up twice)
    if (command.force && (error as OciError).code === 'NOT_FOUND') return;
    throw error;
  }
  const state = store.stateOf(record);
  // runc deletes a created container without --force (its program never ran); a running one only with it
  if (state.status !== 'stopped' && state.status !== 'created' && !command.force)
    throw wrongState(`cannot delete container ${command.id} that is not stopped: ${state.status}`);
  const group = groupOf(record);
  if (state.status !== 'stopped') await killInit(record, group);
  await group?.destroy();
  store.remove(command.id);
  const stopped: OciState = { ...state, status: 'stopped', pid: 0 };
  // runtime.md: a failing poststop hook is a warning; the container is deleted either way
  for (const hook of record.poststop ?? []) await runHooks('poststop', [hook], stopped).catch((error: Error) => logger.warn(error.message));
}

async function killInit(record: StateRecord, group: CgroupManager | undefined): Promise<void> {
  const fd = initPidfd(record);
  try {
    // a frozen task only dies once thawed
    if (record.freezer !== undefined) group?.freeze(false);
    if (group !== undefined) await group.killAll('SIGKILL');
    if (fd === undefined) return;
    pidfdSignal(fd, 'SIGKILL');
    if (!pidfdWait(fd, KILL_WAIT_MS)) throw new OciError(`container ${record.id}: its init did not exit within ${KILL_WAIT_MS} ms of SIGKILL`, { code: 'IO' });
  } finally {
    if (fd !== undefined) closeFd(fd);
  }
}

export function pause(command: Of<'pause'>, globals: GlobalOptions): void {
  freeze(command.id, globals, true);
}

export function resume(command: Of<'resume'>, globals: GlobalOptions): void {
  freeze(command.id, globals, false);
}

function freeze(id: string, globals: GlobalOptions, frozen: boolean): void {
  const store = new StateStore(globals.root);
  const record = store.read(id);
  const status = store.stateOf(record).status;
  // runc's words
  if (frozen && status !== 'running') throw wrongState(status === 'paused' ? 'container already paused' : 'container not running');
  if (!frozen && status !== 'paused') throw wrongState('container not paused');
  const group = groupOf(record);
  if (group === undefined) throw wrongState(`container ${id} has no cgroup to freeze`);
  group.freeze(frozen);
}

export function ps(command: Of<'ps'>, globals: GlobalOptions): void {
  const store = new StateStore(globals.root);
  const record = store.read(command.id);
  const pids = groupOf(record)?.pids() ?? [record.pid];
  if (command.format === 'json') return writeAll(1, `${JSON.stringify(pids)}\n`);
  const result = spawnSync('ps', command.psArgs.length > 0 ? command.psArgs : ['-ef'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new OciError(`ps: ${result.error?.message ?? result.stderr.trim()}`, { code: 'IO' });
  const [header = '', ...lines] = result.stdout.split('\n');
  const column = header.trim().split(/\s+/).indexOf('PID');
  if (column === -1) throw new OciError(`ps ${command.psArgs.join(' ')}: no PID column in its output`, { code: 'USAGE' });
  const wanted = new Set(pids.map(String));
  writeAll(1, [header, ...lines.filter((line) => wanted.has(line.trim().split(/\s+/)[column] ?? ''))].map((l) => `${l}\n`).join(''));
}

export function update(command: Of<'update'>, globals: GlobalOptions): void {
  const store = new StateStore(globals.root);
  const record = store.read(command.id);
  if (store.stateOf(record).status === 'stopped') throw new OciError('container not running', { code: 'NOT_RUNNING' });
  const file = command.resources ?? '-';
  const source = file === '-' ? 'resources (stdin)' : file;
  let json: unknown;
  try {
    // fd 0 read directly: process.stdin would make a pipe non-blocking for whoever shares it
    json = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (cause) {
    throw new OciError(`${source}: ${(cause as Error).message}`, { code: 'INVALID_CONFIG', cause });
  }
  const resources = parseResources(new Reader(source), json, 'resources');
  const limits = cgroupLimits(resources);
  // the allow-list is changed only when the update names devices
  if (resources.devices.length === 0) delete limits.devices;
  const group = groupOf(record);
  if (group === undefined) throw new OciError(`container ${record.id} has no cgroup to update`, { code: 'WRONG_STATE' });
  group.apply(limits);
}
