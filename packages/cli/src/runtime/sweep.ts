// sweep.ts — releases what containers without an owner left behind. A container is owned while its creating
// ctr or its ctr-shim runs (state.ts `isLive`), and the sweep never acts on those. Without an owner:
//   - a container that never started (ctr killed mid-create) or that was to be removed when it stopped (a
//     foreground run whose ctr was SIGKILLed, `--rm`) is released and its files removed;
//   - a stopped container that was not removed keeps its state, exit status, log and writable layer for
//     `ps -a`, `logs`, `inspect`; only its cgroup, veth and lease are released (once), as docker frees a
//     stopped container's IP.
// Layers whose state file is gone (a reboot emptied /run) are removed too.
// Every ctr command calls this first, so the next command after a crash reclaims everything.
import { layerDirOf, listLayers, removeLayer } from './layer.js';
import { ipam } from './network.js';
import { releaseResources, removeContainerFiles } from './release.js';
import { removeContainer, waitForShim } from './control.js';
import { stopPoint } from './stop-points.js';
import {
  creatorAlive, hasStarted, isLive, readAllStates, readState, removeDeadWritersFiles, statusOf, supervisorAlive,
  updateStateIfPresent,
} from './state.js';

export async function sweepStale(): Promise<void> {
  removeDeadWritersFiles();
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
  for (const seen of states) {
    // `states` is a snapshot, and a `ctr run -d` records its shim in its state file and exits while this loop
    // runs (the 2 s waits below widen that window): judged on the snapshot, its running container looks
    // ownerless (creator gone, no shim recorded) and would be released under it — its lease reused, its files
    // removed. So the creator is first seen dead, THEN the file is read again: all the creator wrote is in it.
    if (creatorAlive(seen)) continue;
    const state = readState(seen.name);
    if (state === undefined || state.id !== seen.id) continue;
    // A container whose creator died before starting it: its PID 1 saw the sync pipe close and is exiting, and
    // its shim follows within milliseconds. So does the shim of a foreground container, which watches its
    // creator (ctr-shim -w) and kills the container when it dies. Wait for that rather than leave it to a
    // later command.
    const abandoned = !creatorAlive(state) &&
      (!state.detached || (!state.startBySupervisor && statusOf(state) === 'created'));
    if (abandoned && supervisorAlive(state)) await waitForShim(state, 2000);
    if (state.creating && state.startBySupervisor && !creatorAlive(state)) {
      // A `ctr create` killed before it recorded all it made: its shim would hold that half-made container,
      // unstarted, for good. It goes as `rm -f` does.
      try {
        await removeContainer(state, { force: true });
      } catch {
        // retried by the next sweep
      }
      continue;
    }
    if (isLive(state)) continue;
    // Never started: a `ctr create`d container whose shim died, or one whose creating ctr died first.
    const removable = state.autoRemove === true || !hasStarted(state);
    if (!removable && state.released) continue;
    try {
      await releaseResources(state);
    } catch {
      // Best effort: a group that cannot be removed now (a task still exiting) is retried by the next sweep,
      // because nothing below is recorded when this threw.
      continue;
    }
    stopPoint('sweep:released');
    if (removable) {
      try {
        removeContainerFiles(state);
      } catch {
        continue; // a layer that cannot be removed now: kept with its state file for the next sweep
      }
    } else {
      state.status = statusOf(state);
      state.released = true;
      updateStateIfPresent(state);
    }
  }
  // Leases carry their holder's pid and start time (the shim's), so this also frees leases whose state is gone.
  ipam().reclaimStale();
}
