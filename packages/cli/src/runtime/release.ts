// release.ts — gives back what a stopped container held on the host: its cgroup (after reading its OOM
// count, which `inspect` shows afterwards) and its IP lease (its veth goes with its netns, see below).
// Idempotent and safe to run from several ctr commands at once: each step tolerates "already gone", and the
// lease is released by owner (the container's id), so a lease already re-used by another container is never
// touched. The writable layer and the files go only when the container is removed (`removeContainerFiles`).
// See: cgroups(7), veth(4).
import { containerCgroup } from './limits.js';
import { ipam } from './network.js';
import { removeLayer } from './layer.js';
import { stopPoint } from './stop-points.js';
import { removeState, type ContainerState } from './state.js';

/** Releases cgroup, veth and lease; records `oomKilled` on `state` (the caller persists it). */
export async function releaseResources(state: ContainerState): Promise<void> {
  if (state.released) return;
  const cgroup = containerCgroup(state);
  if (cgroup) {
    try {
      if (cgroup.oomKills() > 0) state.oomKilled = true;
    } catch {
      // the group is gone already (a concurrent release): its count went with it
    }
    await cgroup.destroy();
    stopPoint('release:cgroup');
  }
  // The veth is not deleted here: the kernel destroys the pair with the container's netns once its last
  // process is gone (RTM_DELLINK by hand took 10-30 ms of rtnl work on every container's end). The lease
  // names the veth, so it is released now only if the veth is gone already, else by a later sweep. The
  // recorded address spares reading every other container's lease; without one (ctr died before recording
  // it) all leases are looked at.
  if (state.network === 'bridge') {
    ipam().releaseOwner(state.id, state.ip);
    stopPoint('release:network');
  }
}

/** The end of a container: its writable layer (nobody writes into it any more), then its state files. */
export function removeContainerFiles(state: ContainerState): void {
  if (state.layer) removeLayer(state.layer);
  stopPoint('rm:layer-removed');
  removeState(state.name);
}
