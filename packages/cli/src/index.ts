// @ctr/cli as a library: run containers from a Node program with the same orchestration as `ctr run`.
export { runContainer, execCandidates, type RunOptions, type RunResult } from './runtime/run.js';
export { listContainers, type ContainerState } from './runtime/state.js';
export { sweepStale } from './runtime/sweep.js';
export { CtrError, type CtrErrorFields } from './runtime/errors.js';
