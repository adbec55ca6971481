// @ctr/oci — the OCI runtime front end of ctr (bin `ctrun`): runc's command line, config.json as a typed
// model, the state directory and the hooks runner, for a runtime library to build create/start on.
export { ALL_VERBS, parseArgs, parseSignal, UsageError, type Command, type GlobalOptions, type Invocation, type Verb } from './args.js';
export { loadConfig, parseConfig } from './config/config.js';
export * from './config/model.js';
export { MS, propagationFlags } from './config/mounts.js';
export { RLIM_INFINITY } from './config/process.js';
export { OciError, isOciError, type OciErrorCode } from './errors.js';
export { features } from './features.js';
export { runHook, runHooks } from './hook-runner.js';
export { Logger, logLine } from './log.js';
export { defaultSpec, writeSpec } from './spec.js';
export {
  DEFAULT_ROOT, EXEC_FIFO, StateStore, deriveStatus, validateId, type OciState, type StateRecord, type Status,
} from './state.js';
export { CTRUN_VERSION, OCI_VERSION, versionText } from './version.js';
