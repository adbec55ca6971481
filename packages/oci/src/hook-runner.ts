// hook-runner.ts — runs one OCI hook (config.md "POSIX-platform Hooks"): `path` executed with `args` as its
// argv (args[0] is argv[0], as for execv) and exactly `env` as its environment, the container's state JSON on
// stdin. A hook that exits non-zero, dies by a signal or outlives its `timeout` (then it is SIGKILLed) fails
// with one line naming the hook kind, path and reason, and the end of what it wrote to stderr.
import { spawn } from 'node:child_process';
import { OciError } from './errors.js';
import type { HookKind, OciHook } from './config/model.js';
import type { OciState } from './state.js';

/** Bytes of a hook's stderr kept for the error message. */
const STDERR_TAIL = 2048;

export function runHook(kind: HookKind, hook: OciHook, state: OciState): Promise<void> {
  const what = `${kind} hook ${hook.path}`;
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const entry of hook.env) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    const child = spawn(hook.path, hook.args.slice(1), {
      argv0: hook.args[0] ?? hook.path,
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    let timedOut = false;
    const timer =
      hook.timeout === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
            // a process the hook left behind may hold its stderr open; 'close' must not wait for it
            child.stderr.destroy();
          }, hook.timeout * 1000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    // a hook that exits without reading stdin closes the pipe: EPIPE is its business, not a failure
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(state));
    const tail = () => {
      const text = stderr.trim().split('\n').pop();
      return text ? `: ${text}` : '';
    };
    child.on('error', (cause: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new OciError(`${what}: ${cause.code ?? cause.message}`, {
        code: 'HOOK_FAILED', path: hook.path, errno: cause.errno, syscall: cause.syscall ?? 'spawn', cause,
      }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new OciError(`${what} timed out after ${hook.timeout}s and was killed${tail()}`, { code: 'HOOK_FAILED', path: hook.path }));
      else if (signal) reject(new OciError(`${what} was killed by ${signal}${tail()}`, { code: 'HOOK_FAILED', path: hook.path }));
      else if (code !== 0) reject(new OciError(`${what} exited with status ${code}${tail()}`, { code: 'HOOK_FAILED', path: hook.path }));
      else resolve();
    });
  });
}

/** Runs hooks one after another, as the spec orders them; the first failure stops the rest. */
export async function runHooks(kind: HookKind, hooks: readonly OciHook[], state: OciState): Promise<void> {
  for (const hook of hooks) await runHook(kind, hook, state);
}
