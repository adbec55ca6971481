// explain.ts — `ctr demo --explain`: per step, the kernel mechanism behind the claim and where this repository
// does it (file and function, from the repository root), so a learner can go from the evidence to the code.
// test/unit/demo-explain.test.ts checks that every file exists and defines the function named, so this
// cannot rot silently when code moves.
import type { StepId } from './types.js';

export interface CodeRef {
  file: string;
  fn: string;
  what: string;
}

export interface Explanation {
  mechanism: string;
  code: CodeRef[];
}

export const explanations: Record<StepId, Explanation> = {
  namespaces: {
    mechanism:
      'clone3(2) with CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNET creates the process in new namespaces; ' +
      'the child unshare(2)s CLONE_NEWCGROUP once it sits in its own cgroup. /proc/PID/ns/* name them by nsfs inode.',
    code: [
      { file: 'packages/ns-native/src/spawn.cc', fn: 'SpawnContainer', what: 'the clone3 flags' },
      { file: 'packages/ns-native/src/child.cc', fn: 'RunChild', what: 'unshare(CLONE_NEWCGROUP), then the setup in order' },
    ],
  },
  rootfs: {
    mechanism:
      'The rootfs becomes the read-only lower layer of an overlay mounted on itself in the new mount namespace (writes go to ' +
      'the container\'s own layer, removed with it), then pivot_root(2) makes it / and the old root is ' +
      'detached (umount2 MNT_DETACH): nothing above / remains in the namespace, so ".." at / is / and chroot tricks find nothing.',
    code: [
      { file: 'packages/ns-native/src/spawn.cc', fn: 'AddMountTable', what: 'the overlay, /proc, /sys, /dev mounts planned' },
      { file: 'packages/ns-native/src/child.cc', fn: 'PivotRoot', what: 'pivot_root and detaching the old root' },
      { file: 'packages/cli/src/runtime/validate.ts', fn: 'validateRootfs', what: 'the directory checked before anything is made' },
    ],
  },
  hostname: {
    mechanism: 'sethostname(2) inside the new UTS namespace (uts_namespaces(7)) changes only that namespace\'s name.',
    code: [
      { file: 'packages/ns-native/src/child.cc', fn: 'RunChild', what: 'sethostname before pivot_root' },
      { file: 'packages/cli/src/runtime/validate.ts', fn: 'validateHostname', what: 'RFC 1123 check of the name' },
    ],
  },
  processes: {
    mechanism:
      'The first process of a new PID namespace is PID 1 in it (pid_namespaces(7)); a fresh procfs mounted inside the container ' +
      'lists only that namespace, so ps sees only the container. NSpid in /proc/PID/status maps host PIDs to inner ones.',
    code: [
      { file: 'packages/ns-native/src/spawn.cc', fn: 'AddMountTable', what: 'proc mounted for the new PID namespace' },
      { file: 'packages/ns-native/src/child.cc', fn: 'RunOp', what: 'each planned mount done by raw syscalls' },
    ],
  },
  network: {
    mechanism:
      'A veth pair is created over rtnetlink(7) with one end born inside the container\'s network namespace (IFLA_NET_NS_PID); ' +
      'the host end joins the ctr0 bridge, which holds the gateway address. The address comes from a file-based lease.',
    code: [
      { file: 'packages/cli/src/runtime/network.ts', fn: 'connectBridge', what: 'lease, overlap check, wiring' },
      { file: 'packages/netns/src/connect.ts', fn: 'connectContainer', what: 'veth, bridge port, addresses and routes' },
    ],
  },
  limits: {
    mechanism:
      'One cgroup per container: CFS bandwidth (cpu.cfs_quota_us / cpu.max) caps CPU time per 100 ms period; the memory ' +
      'controller\'s limit makes the kernel OOM-kill inside the group (counted in memory.oom_control / memory.events); ' +
      'pids.max makes fork(2) fail with EAGAIN.',
    code: [
      { file: 'packages/cli/src/runtime/limits.ts', fn: 'prepareLimits', what: 'flags → one cgroup per container' },
      { file: 'packages/cgroups/src/limits.ts', fn: 'cpusToQuota', what: '--cpus → quota and period' },
      { file: 'packages/cgroups/src/v1/cpu.ts', fn: 'applyCpuV1', what: 'the v1 CPU files' },
      { file: 'packages/cgroups/src/v2/memory.ts', fn: 'applyMemoryV2', what: 'the v2 memory files' },
      { file: 'packages/cgroups/src/v1/memory.ts', fn: 'oomKillsV1', what: 'the OOM kill count behind "out of memory"' },
      { file: 'packages/cgroups/src/pids.ts', fn: 'applyPids', what: 'pids.max' },
    ],
  },
  escape: {
    mechanism:
      'Capabilities cut to Docker\'s 14 (capset, bounding set), no_new_privs, a seccomp BPF allow-list (EPERM for module ' +
      'loading, kexec, reboot, mount without CAP_SYS_ADMIN…), masked and read-only /proc and /sys paths.',
    code: [
      { file: 'packages/cli/src/runtime/security.ts', fn: 'prepareSecurity', what: 'the defaults and --cap-*/--security-opt' },
      { file: 'packages/ns-native/lib/seccomp/compile.ts', fn: 'compileProfile', what: 'Docker-format profile → BPF' },
      { file: 'packages/ns-native/src/privileges.cc', fn: 'DropCapabilities', what: 'the capability sets' },
      { file: 'packages/ns-native/src/privileges.cc', fn: 'InstallSeccomp', what: 'seccomp(2) with the filter' },
      { file: 'packages/ns-native/src/hardening.cc', fn: 'MaskPaths', what: 'masked /proc and /sys paths' },
    ],
  },
};
