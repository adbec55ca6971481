// stop-points.ts — fault injection for the reliability suite (test/e2e/faults.test.ts). With
// CTR_TEST_STOP_AT=<point>[:n[:ms]], ctr's n-th pass (default 1) through the named point writes
// "ctr: stop point <point>" to stderr and blocks — until it is killed, or for `ms` milliseconds — so a test can
// SIGKILL it (or signal it) at a known step instead of at a guessed moment. The variable is read once, at load;
// unset, `stopPoint` is one comparison. The block is synchronous (Atomics.wait): nothing of ctr runs meanwhile,
// as if the kernel had descheduled it there; a signal sent meanwhile is handled once the block ends.
import { writeSync } from 'node:fs';

/** Every point, in the order a container's life reaches them; the fault test enumerates this table. */
export const stopPoints = [
  'create:validated', // every flag checked, nothing created
  'create:swept', // the stale sweep done
  'create:name-reserved', // state file written (O_EXCL)
  'create:state-dir', // the shim's directory made
  'create:layer', // writable layer made
  'create:cgroup', // container cgroup made (all controllers)
  'create:spawned', // shim and container exist and are recorded; the container joins its cgroup itself
  'network:lease', // address leased, no veth yet
  'network:veth', // veth wired, not yet recorded
  'create:recorded', // state file holds everything created
  'start:started', // the container's command runs; state still "created"
  'start:running', // state "running"
  'start:requested', // `ctr start`: before asking the shim
  'run:waiting', // foreground run waits for its container
  'run:exited', // foreground container exited, not yet removed
  'exec:spawned', // exec child made, not in the container's cgroup
  'exec:started', // exec'd program runs
  'stop:signalled', // stop signal sent, grace period running
  'rm:killed', // rm -f killed shim and container
  'release:cgroup', // cgroup removed, veth and lease not yet
  'release:network', // lease released (the veth goes with the container's netns)
  'rm:layer-removed', // writable layer gone, state file not yet
  'sweep:released', // the sweep released a dead container, files not yet removed
] as const;

export type StopPoint = (typeof stopPoints)[number];

// Point names hold a ':' themselves; the optional counts are the trailing numeric fields.
const [, wanted, nth = '1', holdMs] = /^(.*?)(?::(\d+))?(?::(\d+))?$/.exec(process.env.CTR_TEST_STOP_AT ?? '')!;
let passes = 0;

/** Blocks at `point` when CTR_TEST_STOP_AT names it (see the header); otherwise returns at once. */
export function stopPoint(point: StopPoint): void {
  if (point !== wanted || ++passes !== Number(nth)) return;
  writeSync(2, `ctr: stop point ${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs === undefined ? Infinity : Number(holdMs));
}
