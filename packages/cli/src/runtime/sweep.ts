// sweep.ts — releases what containers of a dead `ctr run` left behind (kill -9, power loss of the
// supervisor). Their PID 1 died with the supervisor (PR_SET_PDEATHSIG), which also destroyed the netns and so
// the veth pair, and the mount namespace and so the overlay; what remains is host state: the cgroup, the IP
// lease, the writable layer directory and the state file. Every ctr command calls this first, so the next
// command after a crash reclaims them.
import { layerDirOf, listLayers, removeLayer } from './layer.js';
import { containerCgroup } from './limits.js';
import { ipam } from './network.js';
import { isLive, readAllStates, removeState } from './state.js';

export async function sweepStale(): Promise<void> {
  // Layers are listed BEFORE the states are read: `ctr run` writes its state file before it creates its layer,
  // so a layer seen here whose id no state file names was not being made by a live run at that moment. It is
  // an orphan (its state file is gone: a reboot emptied /run, or someone removed it).
  const layers = listLayers();
  const states = readAllStates();
  const known = new Set(states.map((s) => s.id));
  for (const id of layers) {
    if (known.has(id)) continue;
    try {
      removeLayer(layerDirOf(id));
    } catch {
      // Best effort, like the groups below: the next sweep tries again, and no command fails for it.
    }
  }
  for (const state of states) {
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
    try {
      // Its container is dead (or dying): nobody writes into the layer any more.
      if (state.layer) removeLayer(state.layer);
    } catch {
      continue; // kept with its state file, so the next sweep finds it again
    }
    removeState(state.name);
  }
  // Leases carry their holder's pid and start time, so this also frees leases whose state file is gone.
  ipam().reclaimStale();
}
