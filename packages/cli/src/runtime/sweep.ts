// sweep.ts — releases what containers of a dead `ctr run` left behind (kill -9, power loss of the
// supervisor). Their PID 1 died with the supervisor (PR_SET_PDEATHSIG), which also destroyed the netns and so
// the veth pair; what remains is host state: the cgroup, the IP lease and the state file. Every ctr command
// calls this first, so the next command after a crash reclaims the lease.
import { containerCgroup } from './limits.js';
import { ipam } from './network.js';
import { isLive, readAllStates, removeState } from './state.js';

export async function sweepStale(): Promise<void> {
  for (const state of readAllStates()) {
    if (isLive(state)) continue;
    if (state.cgroup) {
      try {
        await containerCgroup(state)?.destroy();
      } catch {
        // Best effort: a group that cannot be removed now (a task still exiting) is retried by the next sweep,
        // because the state file is only removed below when this did not throw.
        continue;
      }
    }
    removeState(state.name);
  }
  // Leases carry their holder's pid and start time, so this also frees leases whose state file is gone.
  ipam().reclaimStale();
}
