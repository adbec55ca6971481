// @ctr/cli as a library: the phases behind every ctr verb (create, start, exec, kill/stop, wait, remove) and
// runContainer, which composes them; none installs a process-wide handler, so one process can run many. run() and
// spawn() sandbox a program on top of them (stdio pipes, time-out, AbortSignal, usage report: ./sandbox/).
export { runContainer, execCandidates, type RunOptions, type RunResult } from './runtime/run.js';
export { createContainer, type CreateOptions, type CreatedContainer } from './runtime/create.js';
export { execContainer, type ExecOptions, type ExecSession } from './runtime/exec.js';
export { killContainer, stopContainer, waitContainer, removeContainer } from './runtime/control.js';
export {
  listContainers, readAllStates, findContainer, statusOf, readExit, exitCodeOf,
  type ContainerState, type ContainerStatus, type ExitRecord,
} from './runtime/state.js';
export { sweepStale } from './runtime/sweep.js';
export { CtrError, type CtrErrorFields } from './runtime/errors.js';
export { run, DEFAULT_MAX_OUTPUT_BYTES, type SandboxRunOptions } from './sandbox/run.js';
export {
  spawn, type SandboxOptions, type SandboxProcess, type SandboxResult, type SandboxUsage, type StdinOption, type StdioOption,
} from './sandbox/spawn.js';
