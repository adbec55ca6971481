// start.ts — the start phase of a container made by `ctr create`, from any ctr process: its ctr-shim holds
// the container's "go" pipe (supervisor.holdsStart), so the start is a request on the shim's socket, answered
// with the container's setup failure (docker's 126/127 for a command that cannot run) or nothing.
import { setupFailure } from '@ctr/ns-native';
import { requestStart } from './attach.js';
import { spawnFailure } from './create.js';
import { CtrError } from './errors.js';
import { stopPoint } from './stop-points.js';
import { statusOf, supervisorAlive, updateState, type ContainerState } from './state.js';

export async function startContainer(state: ContainerState): Promise<void> {
  const status = statusOf(state);
  if (status !== 'created' || !state.startBySupervisor || !supervisorAlive(state)) {
    throw new CtrError(`cannot start container "${state.name}": it is ${status === 'created' ? 'being created by another ctr' : status}`, {
      code: status === 'running' ? 'ERR_CTR_RUNNING' : 'ERR_CTR_NOT_CREATED',
    });
  }
  stopPoint('start:requested');
  const failure = setupFailure(await requestStart(state));
  if (failure) throw spawnFailure(failure, state.command[0]!);
  state.status = 'running';
  state.started = new Date().toISOString();
  updateState(state);
}
