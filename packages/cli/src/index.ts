// @ctr/cli as a library: run containers from a Node program with the same orchestration as `ctr run`.
export { runContainer, listContainers, execCandidates, type RunOptions, type RunResult } from './runtime/run.js';
export { sweepStale } from './runtime/sweep.js';
export { CtrError, type CtrErrorFields } from './runtime/errors.js';
export type { ContainerState } from './runtime/state.js';
