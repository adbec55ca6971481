// targets.ts — what the verbs that take container names share: resolve each NAME (or unique id prefix), run
// the action on each, print the name of each that succeeded (docker's habit), and report the failures one
// line each; the status is the failed one's (e.g. 127 for a start whose command is missing), 1 if it has none.
import { CtrError } from '../runtime/errors.js';
import { findContainer, type ContainerState } from '../runtime/state.js';
import { sweepStale } from '../runtime/sweep.js';

export async function forEachContainer(refs: string[], action: (state: ContainerState) => Promise<void> | void, echo = true): Promise<number> {
  await sweepStale();
  let status = 0;
  for (const ref of refs) {
    try {
      await action(findContainer(ref));
      if (echo) process.stdout.write(`${ref}\n`);
    } catch (err) {
      process.stderr.write(`ctr: ${(err as Error).message}\n`);
      status = err instanceof CtrError && err.exitCode !== 125 ? err.exitCode : 1;
    }
  }
  return status;
}
