// run.mjs — how the bench starts commands: always with a scrubbed environment (only PATH, HOME, LANG, plus
// ctr's own CTR_* settings where ctr runs), so that nothing inherited skews a start time — an inherited
// NODE_EXTRA_CA_CERTS alone costs every Node start about 40 ms. The environment is handed to execve directly,
// which is what `env -i` does, minus the extra exec of env(1) that would inflate every row alike.
// See execve(2), environ(7), env(1).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

/** The scrubbed environment: node's own directory first, so `node` resolves to the one running the bench. */
export const scrubbedEnv = Object.freeze({
  PATH: `${path.dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
  HOME: process.env.HOME ?? '/root',
  LANG: 'C.UTF-8',
});

/**
 * Runs a command to completion and returns its wall time in ms, measured around spawn and exit in this
 * process. Throws with the command's stderr when it fails, so a broken peer never reports a fast "start".
 * A command that `detaches` (`runc run -d`) hands its stdio to the container it leaves running: a pipe would
 * keep this call waiting for that container's end, so all three go to /dev/null and a failure shows no stderr.
 * @param {{ cmd: string, args: string[], env?: Record<string, string>, input?: string, detaches?: boolean }} command
 * @returns {number}
 */
export function timedRun(command) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(command.cmd, command.args, {
    env: command.env ?? scrubbedEnv,
    stdio: command.detaches ? 'ignore' : [command.input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    ...(command.input === undefined ? {} : { input: command.input }),
    timeout: 60_000,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.error || res.status !== 0) {
    const why = res.error?.message ?? `exit ${res.status ?? res.signal}: ${res.stderr?.toString().trim() ?? ''}`;
    throw Object.assign(new Error(`${command.cmd} ${command.args.join(' ')}: ${why}`), { cause: res.error });
  }
  return ms;
}

/**
 * Runs a command and returns its stdout (for version strings and JSON reports).
 * @param {string} cmd
 * @param {string[]} args
 * @param {Record<string, string>} [env]
 */
export function capture(cmd, args, env = scrubbedEnv) {
  const res = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 120_000 });
  if (res.error || res.status !== 0) {
    const why = res.error?.message ?? `exit ${res.status ?? res.signal}: ${res.stderr.trim()}`;
    throw Object.assign(new Error(`${cmd} ${args.join(' ')}: ${why}`), { cause: res.error });
  }
  return res.stdout;
}

/**
 * Starts a long-running command, registered with `cleanup` so an interrupted bench stops it by its PID.
 * @param {import('./cleanup.mjs').Cleanup} cleanup
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, stdout?: 'ignore' | 'pipe' }} [opts]
 */
export function startTracked(cleanup, cmd, args, opts = {}) {
  cleanup.assertOpen();
  const child = spawn(cmd, args, { env: opts.env ?? scrubbedEnv, stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr: stderr.trim() }));
    child.on('error', (err) => resolve({ code: null, signal: null, stderr: err.message }));
  });
  const release = cleanup.trackProcess(child.pid, exited);
  void exited.then(release);
  return { child, pid: child.pid, exited };
}

/**
 * Polls `probe` every `intervalMs` until it returns something other than undefined.
 * @template T
 * @param {() => T | undefined | Promise<T | undefined>} probe
 * @param {{ timeoutMs: number, intervalMs?: number, what: string | (() => string) }} opts what is awaited,
 *   for the timeout message (a function can describe the last failure)
 * @returns {Promise<T>}
 */
export async function waitFor(probe, opts) {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const what = typeof opts.what === 'function' ? opts.what() : opts.what;
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 10));
  }
}

/**
 * Sends a signal by PID, ignoring ESRCH: the process may have exited on its own a moment ago.
 * @param {number} pid
 * @param {NodeJS.Signals} sig
 */
export function signalPid(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}
