// plan.ts — config.json (the parsed model) → what `create` hands to @ctr/ns-native's spawn and @ctr/cgroups,
// decided before anything exists: every field ctrun cannot honour is refused here, with its JSON path, so a
// refused create has no side effect. What spawn always does is checked against the config rather than
// assumed: it creates mnt and pid namespaces (network, ipc, uts and cgroup ones unless told to join one),
// mounts /proc, /sys, a /dev tmpfs with the default nodes, /dev/pts and /dev/shm.
import { hostname as hostName } from 'node:os';
import { posix } from 'node:path';
import {
  capabilityNames, compileProfile, type CapabilitySets, type DeviceNode, type Mount, type NamespaceJoin, type Rlimit, type SecurityOptions, type SpawnContainerOptions,
} from '@ctr/ns-native';
import type { OciConfig, OciMount, OciProcess } from '../config/model.js';
import { RLIM_INFINITY } from '../config/process.js';
import { splitSysctls, type SysctlSplit } from './sysctl.js';
import { OciError } from '../errors.js';

/** What create needs beyond spawn's options. */
export interface ContainerPlan {
  spawn: Omit<SpawnContainerOptions, 'stdio' | 'execFifo' | 'preserveFds'>;
  /** linux.sysctl keys of joined namespaces, which create writes itself (sysctl.ts) */
  joinedSysctls: SysctlSplit['joined'];
  terminal: boolean;
  consoleSize: { rows: number; cols: number };
  oomScoreAdj?: number;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const unsupported = (field: string, why: string): never => {
  throw new OciError(`config.json: ${field}: not supported yet: ${why}`, { code: 'UNSUPPORTED', field });
};

/** Where the process's program may be, inside the container: execvp's PATH walk, done ahead of time. */
export function programCandidates(program: string, env: readonly string[], cwd: string): string[] {
  if (program.includes('/')) return [posix.resolve(cwd, program)];
  const path = env.findLast((entry) => entry.startsWith('PATH='))?.slice('PATH='.length) ?? DEFAULT_PATH;
  const dirs = path.split(':').filter((dir) => dir.startsWith('/'));
  return dirs.map((dir) => posix.join(dir, program));
}

// What spawn mounts itself before the config's list (/dev with the default nodes and the symlinks
// runtime-spec asks for, a devpts with newinstance,ptmxmode=0666): the config's entries for these are what
// every engine writes, and mounting them again would hide the nodes. /dev/shm is mounted again, over spawn's
// (podman binds a shared one there).
const SPAWN_MOUNTS: Readonly<Record<string, string>> = { '/proc': 'proc', '/sys': 'sysfs', '/dev': 'tmpfs', '/dev/pts': 'devpts' };
// Namespaces spawn always creates; the others it creates or joins.
const CREATED_NAMESPACES = ['mount', 'pid'] as const;
const JOINABLE_NAMESPACES = ['network', 'ipc', 'uts', 'cgroup'] as const;
// Left out of a config, these are the runtime's own. Not cgroup: without a cgroup namespace runc binds the
// container's own groups over /sys/fs/cgroup (v1) so that it sees its limits there; spawn gives it a cgroup
// namespace rooted at its group instead, which shows the same.
const SHARED_WHEN_ABSENT = ['network', 'ipc', 'uts'] as const;

export function planContainer(config: OciConfig): ContainerPlan {
  const process = config.process;
  if (process === undefined) throw new OciError('config.json: process: is required to create a container', { code: 'INVALID_CONFIG', field: 'process' });
  const joinNamespaces = namespaceJoins(config);
  const { linux } = config;
  const configPaths = new Set(linux.namespaces.flatMap((ns) => (ns.path === undefined ? [] : [ns.path])));
  const sysctl = splitSysctls(linux.sysctl, joinNamespaces, configPaths);
  if (linux.rootfsPropagation !== undefined && !['private', 'rprivate'].includes(linux.rootfsPropagation))
    unsupported('linux.rootfsPropagation', `${linux.rootfsPropagation} (ctrun makes the container's mounts rprivate)`);
  if (config.hooks.createContainer.length > 0) unsupported('hooks.createContainer', 'hooks run inside the container namespaces');
  if (config.hooks.startContainer.length > 0) unsupported('hooks.startContainer', 'hooks run inside the container namespaces');
  const { user } = process;
  const capabilities = capabilitySet(process);
  const security: SecurityOptions = {
    capabilities,
    noNewPrivileges: process.noNewPrivileges,
    maskedPaths: linux.maskedPaths,
    readonlyPaths: linux.readonlyPaths,
    readonlyRootfs: config.root.readonly,
  };
  const userns = linux.namespaces.find((ns) => ns.type === 'user');
  if (userns !== undefined) security.userns = idMapping(config);
  if (linux.seccomp !== undefined) security.seccomp = compileProfile(linux.seccomp, { capabilities: capabilities.bounding });
  const plan: ContainerPlan = {
    spawn: {
      rootfs: config.root.path,
      // a joined uts namespace keeps its name; a new one starts with the host's, as the kernel copies it
      hostname: joinNamespaces.some((j) => j.type === 'uts') ? '' : (config.hostname ?? hostName()),
      argv: process.args,
      execCandidates: programCandidates(process.args[0]!, process.env, process.cwd),
      env: process.env,
      cwd: process.cwd,
      security,
      devices: deviceNodes(config),
      mounts: config.mounts.filter((m) => SPAWN_MOUNTS[m.destination] !== m.type).map(spawnMount),
      rlimits: process.rlimits.map((r): Rlimit => ({ type: r.type as Rlimit['type'], soft: limit(r.soft), hard: limit(r.hard) })),
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      ...(user.umask !== undefined ? { umask: user.umask } : {}),
      sysctl: sysctl.own,
      joinNamespaces,
    },
    joinedSysctls: sysctl.joined,
    terminal: process.terminal,
    consoleSize: { rows: process.consoleSize?.height || 24, cols: process.consoleSize?.width || 80 },
  };
  if (process.oomScoreAdj !== undefined) plan.oomScoreAdj = process.oomScoreAdj;
  return plan;
}

/**
 * Namespaces given by path are joined; one the config leaves out is the runtime's own (config-linux.md: the
 * container then shares it), which for network, ipc and uts means joining /proc/self/ns/TYPE.
 */
function namespaceJoins(config: OciConfig): NamespaceJoin[] {
  const { namespaces } = config.linux;
  const joins: NamespaceJoin[] = [];
  namespaces.forEach((ns, i) => {
    if (ns.path === undefined) return;
    if (!(JOINABLE_NAMESPACES as readonly string[]).includes(ns.type))
      unsupported(`linux.namespaces[${i}].path`, `joining an existing ${ns.type} namespace`);
    joins.push({ type: ns.type as NamespaceJoin['type'], path: ns.path });
  });
  for (const type of CREATED_NAMESPACES)
    if (!namespaces.some((ns) => ns.type === type))
      unsupported('linux.namespaces', `sharing the runtime's ${type} namespace (ctrun always creates a new one; add {"type":"${type}"})`);
  for (const type of SHARED_WHEN_ABSENT)
    if (!namespaces.some((ns) => ns.type === type)) joins.push({ type, path: `/proc/self/ns/${type === 'network' ? 'net' : type}` });
  return joins;
}

/** A config.json mount as spawn takes it: the shape config.md defines, source resolved against the bundle. */
function spawnMount(mount: OciMount): Mount {
  return { destination: mount.destination, type: mount.type, source: mount.source, options: mount.options };
}

const limit = (value: bigint) => (value === RLIM_INFINITY ? Infinity : Number(value));

/**
 * The five sets as spawn applies them. The kernel decides what the command has after execve: root gets
 * bounding ∪ inheritable in permitted and effective, so a root permitted or effective set other than the
 * bounding one cannot be honoured; a user other than root keeps only the ambient set in both. An ambient
 * capability must be permitted and inheritable to be raised (prctl EPERM otherwise): like runc, ctrun leaves
 * out those that are not (`runc spec` lists ambient ones without inheritable).
 */
export function capabilitySet(process: OciProcess): CapabilitySets {
  const { bounding, effective, permitted, inheritable, ambient } = process.capabilities;
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((cap) => b.includes(cap));
  if (process.user.uid === 0)
    for (const [name, set] of [['permitted', permitted], ['effective', effective]] as const)
      if (!same(bounding, set)) unsupported(`process.capabilities.${name}`, `a ${name} set other than the bounding set for root (after execve the kernel gives root the bounding set)`);
  const outside = (set: number[], of: number[]) => set.find((cap) => !of.includes(cap));
  const notPermitted = outside(effective, permitted);
  if (notPermitted !== undefined) invalidCapability('effective', notPermitted, 'is not in permitted (the kernel refuses it)');
  const notBounding = outside(inheritable, bounding);
  if (notBounding !== undefined) invalidCapability('inheritable', notBounding, 'is not in bounding (the kernel refuses it)');
  const unique = (set: number[]) => [...new Set(set)];
  return {
    bounding: unique(bounding),
    permitted: unique(permitted),
    effective: unique(effective),
    inheritable: unique(inheritable),
    ambient: unique(ambient).filter((cap) => permitted.includes(cap) && inheritable.includes(cap)),
  };
}

function invalidCapability(set: string, cap: number, why: string): never {
  const name = Object.entries(capabilityNames).find(([, n]) => n === cap)?.[0] ?? String(cap);
  throw new OciError(`config.json: process.capabilities.${set}: ${name} ${why}`, { code: 'INVALID_CONFIG', field: `process.capabilities.${set}` });
}

/** One range per map, container id 0 upward, uids and gids the same length (what spawn's user namespace maps). */
function idMapping(config: OciConfig): NonNullable<SecurityOptions['userns']> {
  const { uidMappings, gidMappings } = config.linux;
  const [uid] = uidMappings;
  const [gid] = gidMappings;
  if (uidMappings.length !== 1 || gidMappings.length !== 1 || uid!.containerID !== 0 || gid!.containerID !== 0 || uid!.size !== gid!.size)
    unsupported('linux.uidMappings', 'id maps other than one range from container id 0, of equal size for uids and gids');
  return { hostUid: uid!.hostID, hostGid: gid!.hostID, size: uid!.size };
}

function deviceNodes(config: OciConfig): DeviceNode[] {
  return config.linux.devices.map((device, i) => {
    const field = `linux.devices[${i}]`;
    if (device.type === 'p') unsupported(`${field}.type`, 'FIFO nodes');
    if ((device.uid ?? 0) !== 0 || (device.gid ?? 0) !== 0) unsupported(field, 'device nodes owned by another user than root');
    return {
      path: device.path,
      // the host's node of the same numbers, bound instead of mknod'ed in a user namespace
      hostPath: device.path,
      type: device.type === 'b' ? 'b' : 'c',
      major: device.major,
      minor: device.minor,
      mode: (device.fileMode ?? 0o666) & 0o777,
    };
  });
}
