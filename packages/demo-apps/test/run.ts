// run.ts — test helpers: run a demo program to completion, or start one and wait for a line it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildDir, type DemoProgram } from '../index.js';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Absolute path of a built demo program. */
export const programPath = (name: DemoProgram): string => join(buildDir, name);

/** Runs COMMAND to completion and collects its output; the timeout kills it so a hang fails the test. */
export function run(command: string, args: string[], timeoutMs = 20_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs a demo program to completion. */
export const runProgram = (name: DemoProgram, args: string[], timeoutMs?: number): Promise<Finished> =>
  run(programPath(name), args, timeoutMs);

/** Resolves with the first match of PATTERN in the child's stdout; rejects if it exits first. */
export function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before ${pattern}: ${seen}`)));
  });
}

/** Resolves with the exit code and signal of a started child. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
