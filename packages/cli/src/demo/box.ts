// box.ts — one container of the demo, driven through the runtime library (runContainer) in this process:
// its stdout and stderr go to a file in the demo's scratch directory (read as it grows), and `onStart` hands
// over the same state `ctr ps` shows (host PID, IP, cgroup), which is the host side of every comparison.
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runContainer, type RunOptions, type RunResult } from '../runtime/run.js';
import type { ContainerState } from '../runtime/state.js';

export interface Box {
  /** what `ctr ps` shows, once the command runs; rejects when the container could not start */
  started: Promise<ContainerState>;
  /** resolves when the container has ended and ctr has released everything it made */
  done: Promise<RunResult>;
  /** everything the container wrote to stdout and stderr so far */
  output(): string;
  /** resolves with the output once it matches `pattern`; rejects after `timeoutMs` or when the container ends */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** SIGKILL to the container's PID 1, by host PID: the kernel then ends its whole PID namespace */
  kill(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function startBox(rootfs: string, outFile: string, opts: Omit<RunOptions, 'rootfs' | 'stdio' | 'onStart'>): Box {
  const out = openSync(outFile, 'w+');
  const devnull = openSync('/dev/null', 'r');
  let state: ContainerState | undefined;
  let ended = false;
  let onStarted!: (s: ContainerState) => void;
  let onFailed!: (e: unknown) => void;
  const started = new Promise<ContainerState>((resolve, reject) => {
    onStarted = resolve;
    onFailed = reject;
  });
  started.catch(() => undefined); // the failure is reported through `done`
  const done = runContainer({
    ...opts,
    rootfs,
    tty: false,
    interactive: false,
    stdio: [devnull, out, out],
    onStart: (s) => {
      state = { ...s };
      onStarted(state);
    },
  }).finally(() => {
    ended = true;
    closeSync(out);
    closeSync(devnull);
  });
  done.catch(onFailed);
  const output = (): string => readFileSync(path.resolve(outFile), 'utf8');
  return {
    started,
    done,
    output,
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = output();
        if (pattern.test(text)) return text;
        if (ended) throw new Error(`the container ended before printing ${pattern}; it printed: ${text.trim() || '(nothing)'}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s; the container printed: ${text.trim() || '(nothing)'}`);
        await sleep(50);
      }
    },
    kill() {
      if (state && !ended) {
        try {
          process.kill(state.pid, 'SIGKILL');
        } catch {
          // already gone: runContainer is reaping it
        }
      }
    },
  };
}

/** The non-empty lines of a program's output, trailing blanks removed. */
export const lines = (text: string): string[] => text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');

/** Waits for a container to end; its status and everything it printed. */
export async function finished(box: Box): Promise<{ result: RunResult; output: string }> {
  const result = await box.done;
  return { result, output: box.output() };
}
