// @ctr/ns-native — the syscall layer of ctr. See README.md for the threading rules it obeys.
export { netlinkOpen, netlinkSend, netlinkRecv, closeFd } from './netlink.js';
export {
  bpfProgAttach, bpfProgGetFdById, bpfProgLoad, bpfProgQuery, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, BPF_F_ALLOW_OVERRIDE,
  BPF_PROG_TYPE_CGROUP_DEVICE, type BpfError,
} from './bpf.js';
export {
  spawnContainer, execInContainer, setWinsize, isTerminal, sendFdToSocket, Container, pidfdOpen, pidfdSignal, pidfdWait, pipe, setupFailure,
} from './spawn.js';
export { readPtyMaster } from './pty-reader.js';
export { capabilityNames, lastCap, type CapabilityName } from './capabilities.js';
export type { CapabilitySets, SecurityOptions, UsernsMapping } from './security.js';
export { reservedDevicePaths, type DeviceNode } from './devices.js';
export { checkMounts, type Mount } from './mounts.js';
export { checkRlimits, rlimitTypes, type Rlimit, type RlimitType } from './rlimits.js';
export { sysctlNamespace, type NamespaceJoin, type NamespaceType, type ProcessUser } from './process.js';
export {
  compileProfile, defaultProfile, loadProfile, parseProfile, SeccompError, isSeccompError,
  SECCOMP_ACTIONS, SECCOMP_OPERATORS, SECCOMP_FLAGS,
  type SeccompProfile, type ParsedProfile,
} from './seccomp/index.js';
export type {
  SpawnContainerOptions,
  SupervisorSpec,
  ExecInContainerOptions,
  StdioSpec,
  ExitStatus,
  ContainerSetupError,
  ContainerSetupStage,
} from './spawn.js';
