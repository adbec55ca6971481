// control.ts — the phases that act on an existing container from any ctr process: kill, stop, wait, delete.
// The container's PID 1 and its shim are reached through pidfds opened after checking the shim's start time:
// while the shim runs, the container is its unreaped child, so its pid cannot have been reused, and a
// signal sent through the pidfd can never reach another process. Waiting polls the shim's pidfd (a pidfd
// polls readable when its process exits, for any process, not only children). Nothing here installs a
// process-wide handler. See: pidfd_open(2), pidfd_send_signal(2).
import { closeFd, pidfdOpen, pidfdSignal, pidfdWait } from '@ctr/ns-native';
import { stopTimeoutSeconds } from './config.js';
import { CtrError } from './errors.js';
import { stopPoint } from './stop-points.js';
import { releaseResources, removeContainerFiles } from './release.js';
import {
  creatorAlive, readExit, statusOf, supervisorAlive, updateStateIfPresent, type ContainerState, type ExitRecord,
} from './state.js';

/** Opens a pidfd for `pid` and checks, after opening, that it is still the process the state names. */
function openChecked(pid: number, check: () => boolean): number | undefined {
  let fd: number;
  try {
    fd = pidfdOpen(pid);
  } catch {
    return undefined; // ESRCH: gone
  }
  if (check()) return fd;
  closeFd(fd);
  return undefined;
}

function notRunning(state: ContainerState, verb: string): CtrError {
  return new CtrError(`cannot ${verb} container "${state.name}": it is ${statusOf(state)}`, { code: 'ERR_CTR_NOT_RUNNING' });
}

/** Sends `signal` to the container's PID 1. Throws when it is not running. */
export function killContainer(state: ContainerState, signal: NodeJS.Signals | number): void {
  const fd = statusOf(state) === 'running' ? openChecked(state.pid, () => supervisorAlive(state)) : undefined;
  if (fd === undefined) throw notRunning(state, 'kill');
  try {
    if (!pidfdSignal(fd, signal)) throw notRunning(state, 'kill');
  } finally {
    closeFd(fd);
  }
}

/** Resolves once the container's shim has exited (immediately when it is not running). */
export async function waitForShim(state: ContainerState, timeoutMs = Infinity): Promise<boolean> {
  if (state.shimPid === undefined) return true;
  const fd = openChecked(state.shimPid, () => supervisorAlive(state));
  if (fd === undefined) return true;
  const deadline = Date.now() + timeoutMs;
  try {
    // A short blocking poll, then a timer: the event loop stays free for other containers between polls.
    while (!pidfdWait(fd, 0)) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  } finally {
    closeFd(fd);
  }
}

/** Waits for the container to stop; resolves with the shim's record (undefined if the shim was killed). */
export async function waitContainer(state: ContainerState): Promise<ExitRecord | undefined> {
  if (statusOf(state) === 'created' && creatorAlive(state)) {
    // being created by another ctr: its start (or failure) comes first
    while (statusOf(state) === 'created' && creatorAlive(state)) await new Promise((r) => setTimeout(r, 50));
  }
  await waitForShim(state);
  return readExit(state.name);
}

/**
 * `docker stop`: `signal` (SIGTERM) to PID 1, then SIGKILL after `timeoutSeconds` (default: the container's
 * `--stop-timeout`, else 10) — a PID 1 without a handler ignores SIGTERM (pid_namespaces(7)). Resolves once the
 * container stopped. A stopped container is left as is.
 */
export async function stopContainer(
  state: ContainerState, timeoutSeconds = state.stopTimeout ?? stopTimeoutSeconds, signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (statusOf(state) !== 'running') return;
  try {
    killContainer(state, signal);
  } catch {
    return; // it stopped meanwhile
  }
  stopPoint('stop:signalled');
  if (await waitForShim(state, timeoutSeconds * 1000)) return;
  try {
    killContainer(state, 'SIGKILL');
  } catch {
    // stopped between the timeout and the kill
  }
  await waitForShim(state);
}

/**
 * Deletes a container: its cgroup, veth, lease and files. A running one is refused unless `force`, which
 * kills it first (SIGKILL, as `docker rm -f`).
 */
export async function removeContainer(state: ContainerState, opts: { force?: boolean } = {}): Promise<void> {
  const status = statusOf(state);
  if (status === 'running' || (status === 'created' && supervisorAlive(state))) {
    if (!opts.force) {
      throw new CtrError(`cannot remove container "${state.name}": it is ${status}; stop it first or use rm -f`, {
        code: 'ERR_CTR_RUNNING',
      });
    }
    recordRemoval(state);
    if (state.shimPid !== undefined) {
      const shim = openChecked(state.shimPid, () => supervisorAlive(state));
      if (shim !== undefined) {
        // Killing the shim takes the container with it (PR_SET_PDEATHSIG); kill both so neither depends on it.
        const pid1 = openChecked(state.pid, () => supervisorAlive(state));
        if (pid1 !== undefined) {
          pidfdSignal(pid1, 'SIGKILL');
          closeFd(pid1);
        }
        pidfdSignal(shim, 'SIGKILL');
        closeFd(shim);
        await waitForShim(state);
        stopPoint('rm:killed');
      }
    }
  } else if (status === 'created' && creatorAlive(state) && state.ctrPid !== process.pid) {
    throw new CtrError(`cannot remove container "${state.name}": another ctr (pid ${state.ctrPid}) is creating it`, {
      code: 'ERR_CTR_BUSY',
    });
  }
  recordRemoval(state);
  await releaseResources(state);
  removeContainerFiles(state);
}

/**
 * The decision to remove is recorded before acting on it: a rm killed halfway leaves a container the sweep
 * finishes removing (as `--rm`), not a stopped one that stays listed with its layer.
 */
function recordRemoval(state: ContainerState): void {
  if (state.autoRemove) return;
  state.autoRemove = true;
  updateStateIfPresent(state);
}
