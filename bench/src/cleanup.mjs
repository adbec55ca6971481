// cleanup.mjs — everything the bench creates is released on every exit path: normal end, a failed measure,
// and SIGINT/SIGTERM/SIGHUP of the harness. Processes are ended by PID only. Container runtimes clean up
// after their own container when its process dies, so an interrupted bench kills the containers' processes
// first (found below each tracked runtime, in another PID namespace) and lets ctr, runc and crun remove
// their cgroups, veths and state; only a runtime that does not exit in time is killed itself.
// See kill(2), signal(7), pid_namespaces(7).
import { descendants, isAlive, pidNamespace } from './procfs.mjs';
import { signalPid } from './run.mjs';

// ctr exits within moments of its container's death; under heavy load 100 of them may need a while.
const graceMs = 20_000;

export class Cleanup {
  /** @type {{ label: string, fn: () => unknown }[]} */
  #steps = [];
  /** @type {Map<number, Promise<unknown>>} */
  #processes = new Map();
  #running;
  /** Set when a signal started the cleanup. */
  interrupted = false;

  /**
   * Registers a release step; steps run in reverse order of registration.
   * @param {string} label
   * @param {() => unknown} fn
   */
  push(label, fn) {
    this.#steps.push({ label, fn });
  }

  /**
   * Tracks a process started by the bench until it exits; returns the function that forgets it.
   * @param {number | undefined} pid
   * @param {Promise<unknown>} exited
   */
  trackProcess(pid, exited) {
    if (pid === undefined) return () => {};
    this.#processes.set(pid, exited);
    return () => this.#processes.delete(pid);
  }

  /** True once the cleanup has begun: nothing new may be started after that. */
  get closing() {
    return this.#running !== undefined;
  }

  /** Throws once the cleanup has begun, so a measure in progress stops creating things. */
  assertOpen() {
    if (this.closing) throw new Error('interrupted: the bench is cleaning up');
  }

  /**
   * Stops every tracked process, then runs the release steps. Safe to call twice (the second call waits
   * for the first). Returns the errors of steps that failed.
   * @returns {Promise<Error[]>}
   */
  run() {
    this.#running ??= this.#runOnce();
    return this.#running;
  }

  async #runOnce() {
    const errors = [];
    await this.#stopProcesses();
    for (const step of this.#steps.reverse()) {
      try {
        await step.fn();
      } catch (err) {
        errors.push(Object.assign(new Error(`cleanup of ${step.label}: ${err.message}`), { cause: err }));
      }
    }
    this.#steps = [];
    return errors;
  }

  async #stopProcesses() {
    if (this.#processes.size === 0) return;
    const hostNs = pidNamespace('self');
    for (const pid of this.#processes.keys()) {
      for (const d of descendants(pid)) {
        if (pidNamespace(d.pid) !== hostNs) signalPid(d.pid, 'SIGKILL');
      }
      signalPid(pid, 'SIGTERM');
    }
    const all = Promise.all(this.#processes.values());
    const timer = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([all, timer]);
    for (const pid of this.#processes.keys()) if (isAlive(pid)) signalPid(pid, 'SIGKILL');
    await Promise.race([all, new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  /**
   * Makes SIGINT, SIGTERM and SIGHUP run the cleanup and exit with 128+N.
   * @param {(line: string) => void} log
   */
  installSignalHandlers(log) {
    for (const [sig, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
      process.on(sig, () => {
        this.interrupted = true;
        log(`${sig}: stopping and removing what the bench created`);
        void this.run().then((errors) => {
          for (const e of errors) log(e.message);
          process.exit(128 + number);
        });
      });
    }
  }
}
