// @ctr/ns-native — the syscall layer of ctr. See README.md for the threading rules it obeys.
export { netlinkOpen, netlinkSend, netlinkRecv, closeFd } from './netlink.js';
export { spawnContainer, setWinsize, Container } from './spawn.js';
export { capabilityNames, lastCap, type CapabilityName } from './capabilities.js';
export type { SecurityOptions, UsernsMapping } from './security.js';
export {
  compileProfile, defaultProfile, loadProfile, parseProfile, SeccompError, isSeccompError,
  type SeccompProfile, type ParsedProfile,
} from './seccomp/index.js';
export type {
  SpawnContainerOptions,
  StdioSpec,
  ExitStatus,
  ContainerSetupError,
  ContainerSetupStage,
} from './spawn.js';
