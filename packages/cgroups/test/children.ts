// children.ts — child processes for the integration tests: each one waits on stdin before doing its work,
// so it can be moved into the group first; every child is tracked and SIGKILLed by PID at cleanup.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const children = new Set<ChildProcess>();

export interface Child {
  pid: number;
  proc: ChildProcess;
  /** lets the child start its work (it blocks in `read` until then) */
  go(): void;
  /** resolves with the exit code and signal, and the stderr text */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Spawns `sh -c 'read _; <script>'`. */
export function spawnGated(script: string): Child {
  const proc = spawn('sh', ['-c', `read _; ${script}`], { stdio: ['pipe', 'ignore', 'pipe'] });
  children.add(proc);
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(proc, 'exit').then(([code, signal]) => {
    children.delete(proc);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stderr };
  });
  if (proc.pid === undefined) throw new Error(`spawn sh failed`);
  return { pid: proc.pid, proc, go: () => proc.stdin!.end('\n'), exited };
}

/** SIGKILLs, by PID, every child still running. */
export function killChildren(): void {
  for (const proc of children) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  children.clear();
}
