// run-demo.ts — runs the selected steps in order, each against fresh containers, and guarantees that what
// the demo made is gone afterwards: every container a step started is killed and awaited (runContainer
// then releases its cgroup, veth, lease and state file), and the scratch directory is removed. A step that
// throws becomes a failed step that says why; the other steps still run.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processStartTime } from '@ctr/netns';
import { startBox, type Box } from './box.js';
import { steps } from './steps/index.js';
import type { DemoContext, StepId, StepResult } from './types.js';

export interface DemoOptions {
  /** validated, absolute */
  rootfs: string;
  only?: StepId[];
  progress?: (message: string) => void;
  /** called as each step ends (the terminal prints it at once) */
  onStep?: (result: StepResult) => void;
}

const stopped = 'interrupted by a signal';

/**
 * The scratch directory is named after its demo process (PID and start time). A demo killed with SIGKILL
 * cannot remove its own; the next demo removes those whose process is gone (its containers, cgroups and
 * leases are swept by any ctr command, like those of a killed `ctr run`).
 */
function scratchPrefix(pid: number): string {
  return `ctr-demo-${pid}-${processStartTime(pid) ?? 0}-`;
}

function sweepScratch(): void {
  for (const entry of readdirSync(os.tmpdir())) {
    const m = /^ctr-demo-(\d+)-(\d+)-/.exec(entry);
    if (m && processStartTime(Number(m[1])) !== Number(m[2])) rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
}

export async function runDemo(opts: DemoOptions): Promise<StepResult[]> {
  sweepScratch();
  const scratch = mkdtempSync(path.join(os.tmpdir(), scratchPrefix(process.pid)));
  const results: StepResult[] = [];
  const live = new Set<Box>();
  let interrupted = false;
  const interrupt = (): void => {
    interrupted = true;
    for (const box of live) box.kill();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let outputs = 0;
  try {
    for (const [index, step] of steps.entries()) {
      if (interrupted) break;
      if (opts.only && !opts.only.includes(step.id)) continue;
      const number = index + 1;
      const ctx: DemoContext = {
        rootfs: opts.rootfs,
        scratch,
        start(runOpts) {
          // After ^C no new container starts: the step fails at its next one, and the loop ends.
          if (interrupted) throw new Error(stopped);
          const box = startBox(opts.rootfs, path.join(scratch, `output-${++outputs}`), runOpts);
          live.add(box);
          void box.done.catch(() => undefined).finally(() => live.delete(box));
          return box;
        },
        progress: (message) => opts.progress?.(`[${number}/${steps.length}] ${step.title}: ${message}`),
      };
      opts.progress?.(`[${number}/${steps.length}] ${step.title}`);
      const t0 = performance.now();
      let result: StepResult;
      try {
        const body = await step.run(ctx);
        result = { step: number, id: step.id, title: step.title, claim: step.claim, ...body, seconds: 0 };
      } catch (err) {
        result = {
          step: number, id: step.id, title: step.title, claim: step.claim, ok: false, evidence: [], transcript: [],
          why: [`the step could not run: ${(err as Error).message ?? String(err)}`], seconds: 0,
        };
      } finally {
        // A step that failed halfway may leave a container running: end it before the next step.
        for (const box of live) box.kill();
        await Promise.allSettled([...live].map((b) => b.done));
      }
      result.seconds = Math.round(performance.now() - t0) / 1000;
      if (interrupted && !result.why.some((w) => w.endsWith(stopped))) result = { ...result, ok: false, why: [...result.why, stopped] };
      results.push(result);
      opts.onStep?.(result);
    }
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}
