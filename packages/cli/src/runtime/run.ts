// run.ts — `ctr run` as phases: create (create.ts) → start → attach the terminal → wait → delete
// (control.ts). Usable from any Node program, for many containers at once: it installs no process-wide
// handler; signals reach a container through `onStart`'s control (the CLI forwards its own, once).
// A foreground run is removed when it ends (nothing stays behind, as before detached containers existed);
// a detached one (`detach`) returns once its command runs and stays until `ctr rm` (or `autoRemove`).
// See: clone(2), pid_namespaces(7), init/ctr-shim.c.
import os from 'node:os';
import { CtrError, asCtrError } from './errors.js';
import { removeContainer } from './control.js';
import { createContainer, type CreateOptions, type CreatedContainer } from './create.js';
import { exitCodeOf, type ContainerState } from './state.js';
import { containerCgroup } from './limits.js';
import { stopPoint } from './stop-points.js';
import { containerUsage, epochNow, type ContainerUsage } from './usage.js';
import { validateTimeoutMs } from './validate.js';

export { execCandidates } from './create.js';

export interface RunOptions extends CreateOptions {
  /** called once the command runs, with what `ctr ps` would show and a handle to signal the container */
  onStart?: (state: ContainerState, control: Pick<CreatedContainer, 'kill'>) => void;
  /** wall-clock limit from the start of the command (foreground): then the container is SIGKILLed */
  timeoutMs?: number;
}

export interface RunResult {
  name: string;
  id: string;
  ip?: string;
  /** the command's exit status; 128+N when killed by signal N (docker's convention) */
  exitCode: number;
  signal?: string;
  /** the kernel's OOM killer ended the container (memory limit reached) */
  oomKilled: boolean;
  /** memory limit in bytes when one was set */
  memoryLimit?: number;
  /** the run returned once the command started (`detach`): no status yet */
  detached?: boolean;
  /** `timeoutMs` expired and the container was SIGKILLed */
  timedOut?: boolean;
  /** what the container used (foreground runs whose cgroup could be read before its removal) */
  usage?: ContainerUsage;
}

function signalName(signal: number): string {
  return Object.entries(os.constants.signals).find(([, n]) => n === signal)?.[0] ?? String(signal);
}

/** Runs one container: to completion, or (detach) until its command runs. Rejects with a CtrError. */
export async function runContainer(opts: RunOptions): Promise<RunResult> {
  if (opts.timeoutMs !== undefined) validateTimeoutMs(opts.timeoutMs);
  const created = await createContainer(opts);
  const { state } = created;
  let started: { ptyMaster?: number };
  try {
    started = await created.start();
  } catch (err) {
    const error = err instanceof CtrError ? err : asCtrError(err, 'start failed');
    error.cleanupErrors.push(...(await created.abort()));
    throw error;
  }
  const result = { name: state.name, id: state.id, ...(state.ip ? { ip: state.ip } : {}) };
  if (opts.detach) {
    opts.onStart?.(state, created);
    return { ...result, exitCode: 0, oomKilled: false, detached: true };
  }
  // node:tty is loaded only for a terminal session (start-up cost).
  const pty = started.ptyMaster !== undefined
    ? (await import('./terminal.js')).attachPty(started.ptyMaster, opts.interactive ?? (opts.tty === undefined && process.stdin.isTTY === true))
    : undefined;
  const startedAt = epochNow();
  // --timeout: SIGKILL to PID 1 ends every process of its PID namespace with it (pid_namespaces(7)).
  let timedOut = false;
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => (timedOut = created.kill('SIGKILL')), opts.timeoutMs);
  try {
    opts.onStart?.(state, created);
    stopPoint('run:waiting');
    const exit = await created.wait();
    stopPoint('run:exited');
    if (pty) await pty.closed;
    const exitCode = exitCodeOf(exit) ?? 125;
    const signal = exit?.signal != null ? signalName(exit.signal) : undefined;
    let oomKilled = false;
    let usage: ContainerUsage | undefined;
    try {
      oomKilled = signal === 'SIGKILL' && (containerCgroup(state)?.oomKills() ?? 0) > 0;
      usage = containerUsage(state, startedAt, exit);
    } catch {
      // no cgroup to ask
    }
    return {
      ...result,
      exitCode,
      ...(signal ? { signal } : {}),
      oomKilled,
      ...(state.limits?.memory !== undefined && state.limits.memory > 0 ? { memoryLimit: state.limits.memory } : {}),
      ...(opts.timeoutMs !== undefined ? { timedOut } : {}),
      ...(usage ? { usage } : {}),
    };
  } finally {
    clearTimeout(timer);
    pty?.restore();
    await removeContainer(state);
  }
}
