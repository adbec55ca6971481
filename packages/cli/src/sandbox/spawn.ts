// spawn.ts — a sandboxed program as a handle, like child_process.spawn: stdio streams, kill(), pid, and a
// promise of what the run did (exit, signal, time-out, OOM kill, CPU/memory/pids usage from its cgroup).
// Built on the runtime's phases (create → start → wait → remove, ../runtime/create.ts and control.ts); what is
// added here is per run and dies with it: pipes for stdio (./stdio.ts), a wall-clock timer, a subscription to
// the caller's AbortSignal (./abort.ts), and the read of the cgroup's usage before the group is removed
// (../runtime/usage.ts). No
// process-wide handler or per-container global exists, so a thousand runs can share one Node process.
// A time-out or abort SIGKILLs the container's PID 1: the kernel then kills every other process of its PID
// namespace (pid_namespaces(7)), and the container's ctr-shim reports the end only once all are gone.
import os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { removeContainer } from '../runtime/control.js';
import { createContainer, type CreateOptions, type CreatedContainer } from '../runtime/create.js';
import { CtrError, asCtrError, invalid } from '../runtime/errors.js';
import { containerCgroup } from '../runtime/limits.js';
import { exitCodeOf } from '../runtime/state.js';
import { validateTimeoutMs } from '../runtime/validate.js';
import { containerUsage, epochNow, type ContainerUsage } from '../runtime/usage.js';
import { abortError, onAbort } from './abort.js';
import { checkStdio, prepareStdio, type PreparedStdio, type StdinOption, type StdioOption } from './stdio.js';

export type { StdinOption, StdioOption } from './stdio.js';

/** What a sandboxed run is: the container (rootfs, command, limits, security, mounts…) and its stdio. */
export interface SandboxOptions
  extends Omit<CreateOptions, 'stdio' | 'tty' | 'interactive' | 'detach' | 'autoRemove' | 'startBySupervisor' | 'restart' | 'logMaxBytes'> {
  /** `none` (default for a sandbox: loopback only) or `bridge` (own IP on ctr0) */
  net?: string;
  /** default 'ignore' (/dev/null) */
  stdin?: StdinOption;
  /** default 'pipe' */
  stdout?: StdioOption;
  /** default 'pipe' */
  stderr?: StdioOption;
  /** wall-clock limit from the start of the command; on expiry the container is SIGKILLed and `timedOut` is true */
  timeoutMs?: number;
  /** aborting it SIGKILLs a running container (`timedOut` true) or cancels one not yet started (AbortError) */
  signal?: AbortSignal;
}

/** What the container used; see ContainerUsage. */
export type SandboxUsage = ContainerUsage;

export interface SandboxResult<Output = string> {
  name: string;
  id: string;
  /** the command's exit status; 128+N when signal N killed it (docker's convention) */
  exitCode: number;
  /** the signal that killed the container's first process, e.g. 'SIGKILL'; null when it exited */
  signal: string | null;
  /** `timeoutMs` expired or `signal` aborted, and the container was SIGKILLed */
  timedOut: boolean;
  /** the kernel's OOM killer killed a process of the container (its memory limit was reached) */
  oomKilled: boolean;
  /** captured output (run() with 'pipe'), at most `maxOutputBytes` each */
  stdout?: Output;
  stderr?: Output;
  /** output passed `maxOutputBytes`: the container was SIGKILLed and the output cut there (run() only) */
  outputTruncated: boolean;
  usage: SandboxUsage;
}

/** A sandboxed program, as `spawn()` returns it. */
export interface SandboxProcess {
  /** writes to the container's stdin (stdin: 'pipe'); end() it to give the program EOF */
  readonly stdin: Writable | null;
  /** the container's output (stdout/stderr: 'pipe'); read (or destroy) it, or the program blocks once the pipe is full */
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** host PID of the container's PID 1 once its command runs; undefined before */
  readonly pid: number | undefined;
  /** the container's name once it exists */
  readonly name: string | undefined;
  /** resolves once the command runs; rejects as `result` does when it cannot start */
  readonly started: Promise<void>;
  /** resolves once the container has ended and been removed (rejects with a CtrError if it could not run) */
  readonly result: Promise<SandboxResult<never>>;
  /**
   * Sends `signal` (default SIGKILL) to the container's PID 1; SIGKILL ends the whole container. Before the
   * command runs, the signal is held and sent as it starts. False once the container has ended.
   */
  kill(signal?: NodeJS.Signals | number): boolean;
}

function signalName(signal: number): string {
  return Object.entries(os.constants.signals).find(([, n]) => n === signal)?.[0] ?? String(signal);
}

/** Checks what only the sandbox adds to the create options; throws before anything is made. */
export function checkSandboxOptions(opts: SandboxOptions): void {
  if (opts === null || typeof opts !== 'object') throw invalid('sandbox options must be an object with at least `rootfs`');
  checkStdio(opts.stdin ?? 'ignore', opts.stdout ?? 'pipe', opts.stderr ?? 'pipe');
  if (opts.timeoutMs !== undefined) validateTimeoutMs(opts.timeoutMs);
  if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) throw invalid('invalid signal: use an AbortSignal');
}

class Sandbox implements SandboxProcess {
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  pid: number | undefined;
  name: string | undefined;
  readonly started: Promise<void>;
  readonly result: Promise<SandboxResult<never>>;
  #container: CreatedContainer | undefined;
  #running = false;
  #ended = false;
  #heldSignal: NodeJS.Signals | number | undefined;
  #timedOut = false;
  #markStarted!: () => void;

  constructor(opts: SandboxOptions, stdio: PreparedStdio) {
    this.stdin = stdio.stdin;
    this.stdout = stdio.stdout;
    this.stderr = stdio.stderr;
    let failStart!: (err: unknown) => void;
    this.started = new Promise<void>((resolve, reject) => {
      this.#markStarted = resolve;
      failStart = reject;
    });
    // `started` rejects with `result`; a caller awaiting only `result` must not see an unhandled rejection
    this.started.catch(() => {});
    this.result = this.#execute(opts, stdio).catch((err: unknown) => {
      failStart(err);
      throw err;
    });
  }

  kill(signal: NodeJS.Signals | number = 'SIGKILL'): boolean {
    if (this.#ended) return false;
    if (!this.#running || !this.#container) {
      this.#heldSignal = signal;
      return true;
    }
    return this.#container.kill(signal);
  }

  /**
   * The time-out or the abort: the container and everything in it are SIGKILLed. `timedOut` only when the kill
   * found it alive: a timer that fires late (a busy event loop) after the program ended by itself is no time-out.
   */
  #expire(): void {
    if (this.#ended || !this.#running) return;
    if (this.kill('SIGKILL')) this.#timedOut = true;
  }

  async #execute(opts: SandboxOptions, stdio: PreparedStdio): Promise<SandboxResult<never>> {
    const { stdin: _in, stdout: _out, stderr: _err, timeoutMs, signal, ...create } = opts;
    let created: CreatedContainer;
    try {
      if (signal?.aborted) throw abortError(signal);
      created = await createContainer({ ...create, net: create.net ?? 'none', stdio: stdio.fds, tty: false, interactive: false });
    } catch (err) {
      this.#ended = true;
      stdio.destroy();
      throw err;
    } finally {
      // the container holds its copies now (or will never need them): ours would keep its output open
      stdio.closeContainerEnds();
    }
    const { state } = created;
    this.#container = created;
    this.name = state.name;
    const fail = async (error: CtrError): Promise<never> => {
      this.#ended = true;
      error.cleanupErrors.push(...(await created.abort()));
      stdio.destroy();
      throw error;
    };
    if (signal?.aborted) return fail(abortError(signal));
    try {
      await created.start();
    } catch (err) {
      return fail(err instanceof CtrError ? err : asCtrError(err, 'start failed'));
    }
    const startedAt = epochNow();
    this.pid = state.pid;
    this.#running = true;
    const unsubscribe = signal ? onAbort(signal, () => this.#expire()) : undefined;
    // aborted while the container was setting up: onAbort only hears of later aborts
    if (signal?.aborted) this.#expire();
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.#expire(), timeoutMs);
    if (this.#heldSignal !== undefined) created.kill(this.#heldSignal);
    stdio.feed();
    this.#markStarted();
    try {
      const exit = await created.wait();
      const usage = containerUsage(state, startedAt, exit);
      this.#ended = true;
      clearTimeout(timer);
      const oomKills = containerCgroup(state)?.oomKills() ?? 0;
      return {
        name: state.name,
        id: state.id,
        exitCode: exitCodeOf(exit) ?? 125,
        signal: exit?.signal != null ? signalName(exit.signal) : null,
        timedOut: this.#timedOut,
        oomKilled: oomKills > 0,
        outputTruncated: false,
        usage,
      };
    } finally {
      this.#ended = true;
      clearTimeout(timer);
      unsubscribe?.();
      stdio.closeStdin();
      await removeContainer(state);
    }
  }
}

/**
 * Starts `options.command` in a new container and returns at once with its stdio streams; `result` resolves
 * once it has ended and been removed. Throws (a CtrError, code ERR_CTR_INVALID) for malformed stdio, timeout
 * or signal options; everything else the create phase refuses rejects `result`, with nothing left behind.
 */
export function spawn(options: SandboxOptions): SandboxProcess {
  checkSandboxOptions(options);
  const stdio = prepareStdio(options.stdin ?? 'ignore', options.stdout ?? 'pipe', options.stderr ?? 'pipe');
  return new Sandbox(options, stdio);
}
