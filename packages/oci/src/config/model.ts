// model.ts — the typed, validated form of an OCI bundle's config.json (runtime-spec config.md,
// config-linux.md), as parseConfig returns it: paths resolved, mount options split into flags and data,
// names mapped to numbers, resources in @ctr/cgroups' units. Only what ctrun implements is representable.
import type { CgroupLimits, DeviceRule } from '@ctr/cgroups';
import type { SeccompProfile } from '@ctr/ns-native';

export interface OciUser {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids: number[];
}

export interface OciCapabilities {
  bounding: number[];
  effective: number[];
  inheritable: number[];
  permitted: number[];
  ambient: number[];
}

export interface OciRlimit {
  /** RLIMIT_* name as given, e.g. RLIMIT_NOFILE */
  type: string;
  /** resource number for prlimit(2) */
  resource: number;
  soft: bigint;
  hard: bigint;
}

export interface OciProcess {
  args: string[];
  env: string[];
  cwd: string;
  user: OciUser;
  terminal: boolean;
  consoleSize?: { height: number; width: number };
  capabilities: OciCapabilities;
  rlimits: OciRlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave' | 'unbindable' | 'runbindable';

export interface OciMount {
  destination: string;
  /** filesystem type for mount(2); "bind" for bind mounts */
  type: string;
  /** resolved against the bundle when relative and a bind mount */
  source: string;
  /** a bind mount (options bind or rbind, or type "bind") */
  bind: boolean;
  /** recursive bind (rbind) */
  recursive: boolean;
  /** MS_* flags for mount(2) (for a bind: applied by the read-only/nosuid… remount) */
  flags: number;
  /** flags to clear on that remount (e.g. "rw", "suid") */
  clearFlags: number;
  /** propagation applied after the mount, if any */
  propagation?: Propagation;
  /** comma-joined filesystem-specific options (mode=755, size=65536k…) */
  data: string;
  /** the options as config.json gives them (what @ctr/ns-native's spawn takes) */
  options: string[];
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

export interface OciNamespace {
  type: NamespaceType;
  /** join this namespace (setns) instead of creating one */
  path?: string;
}

export interface OciIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface OciDevice {
  type: 'c' | 'b' | 'u' | 'p';
  path: string;
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface OciResources {
  /**
   * cpus (from quota/period) and cpuPeriod, cpuShares, cpusetCpus/Mems, memory, memorySwap, memoryReservation,
   * pids, as @ctr/cgroups applies them
   */
  limits: CgroupLimits;
  /**
   * linux.resources.devices as @ctr/cgroups applies them: a default (`a *:* rwm`) and exceptions to it.
   * Empty when the config gives none. Engines count on the runtime adding the devices every container has
   * (runc's and crun's built-in allow-list: /dev/null, zero, full, random, urandom, tty, ptmx, pts): a
   * podman config denies all and lists no exception.
   */
  devices: DeviceRule[];
}

export interface OciHook {
  path: string;
  args: string[];
  env: string[];
  /** seconds; absent = no timeout */
  timeout?: number;
}

export const HOOK_KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
export type HookKind = (typeof HOOK_KINDS)[number];
export type OciHooks = Record<HookKind, OciHook[]>;

export interface OciLinux {
  namespaces: OciNamespace[];
  uidMappings: OciIdMapping[];
  gidMappings: OciIdMapping[];
  devices: OciDevice[];
  resources?: OciResources;
  /** as given: absolute = from the cgroup root, relative = under the runtime's parent group */
  cgroupsPath?: string;
  /** the OCI section converted to the Docker profile ns-native compiles */
  seccomp?: SeccompProfile;
  maskedPaths: string[];
  readonlyPaths: string[];
  sysctl: Record<string, string>;
  rootfsPropagation?: Propagation;
}

export interface OciConfig {
  ociVersion: string;
  /** absolute path of the root filesystem (bundle-relative paths resolved) */
  root: { path: string; readonly: boolean };
  hostname?: string;
  domainname?: string;
  process?: OciProcess;
  mounts: OciMount[];
  linux: OciLinux;
  hooks: OciHooks;
  annotations: Record<string, string>;
}

export interface ParsedConfig {
  config: OciConfig;
  /** unknown properties that were ignored, one line each */
  warnings: string[];
}
