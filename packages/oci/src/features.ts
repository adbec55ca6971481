// features.ts — `ctrun features`: what this runtime implements, in runtime-spec features.md's JSON shape
// (containerd 2.x asks for it). Every list is built from the tables the config parser itself checks
// against, so the answer cannot drift from what `create` accepts.
import { capabilityNames, SECCOMP_ACTIONS, SECCOMP_OPERATORS, SECCOMP_FLAGS } from '@ctr/ns-native';
import { HOOK_KINDS } from './config/model.js';
import { NAMESPACE_TYPES } from './config/linux.js';
import { SECCOMP_ARCHES } from './config/seccomp.js';
import { MOUNT_OPTION_NAMES } from './config/mounts.js';
import { OCI_VERSION } from './version.js';

export function features(): Record<string, unknown> {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: OCI_VERSION,
    hooks: [...HOOK_KINDS],
    mountOptions: [...MOUNT_OPTION_NAMES],
    linux: {
      namespaces: [...NAMESPACE_TYPES],
      capabilities: Object.keys(capabilityNames),
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: {
        enabled: true,
        // SCMP_ACT_NOTIFY needs an agent ctrun does not run: the parser refuses it
        actions: SECCOMP_ACTIONS.filter((action) => action !== 'SCMP_ACT_NOTIFY'),
        operators: [...SECCOMP_OPERATORS],
        // recognized in `architectures`; the compiled filter judges the native ABI and kills the others
        archs: [...SECCOMP_ARCHES],
        knownFlags: [...SECCOMP_FLAGS],
        supportedFlags: [],
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: false } },
    },
  };
}
