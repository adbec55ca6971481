// process.ts — spawnContainer options for the first process and its namespaces in runtime-spec's shapes:
// `umask`, `user` (uid, gid, additionalGids), `sysctl` and namespaces joined by `path`. Checked here, before
// anything is cloned: a sysctl must be one the container's own namespaces scope (and not of a namespace it
// joins, which may be the host's); the namespace files are opened and type-checked by the native side.
// See: sysctl.d(5), namespaces(7), setns(2), runtime-spec config.md "User", config-linux.md "Sysctl".
import { checkInteger, checkString, invalid } from './validate.js';

/** The user of the first process (runtime-spec `process.user`), numeric. */
export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export type NamespaceType = 'network' | 'ipc' | 'uts' | 'mount' | 'pid' | 'cgroup' | 'user';

/** A namespace to join instead of creating one (runtime-spec `linux.namespaces[]` with a `path`). */
export interface NamespaceJoin {
  type: NamespaceType;
  /** e.g. /proc/PID/ns/net or a bind-mounted namespace file */
  path: string;
}

/** CLONE_NEW* (sched.h) of each namespace type. */
export const CLONE_NEW: Readonly<Record<NamespaceType, number>> = {
  mount: 0x00020000, cgroup: 0x02000000, uts: 0x04000000, ipc: 0x08000000, user: 0x10000000, pid: 0x20000000,
  network: 0x40000000,
};

/** CLONE_NEW* of each type the child can join itself. */
const NSTYPE: Partial<Record<NamespaceType, number>> = {
  ipc: CLONE_NEW.ipc, uts: CLONE_NEW.uts, network: CLONE_NEW.network, cgroup: CLONE_NEW.cgroup, pid: CLONE_NEW.pid,
};

// Sysctls the kernel scopes to a namespace the container has its own of (runc's validator, the same list):
// writing them cannot reach the host.
const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);
const UTS_SYSCTLS = new Set(['kernel.hostname', 'kernel.domainname']);

/** The namespace that scopes a sysctl (runc's list), undefined for one the host shares with every container. */
export function sysctlNamespace(key: string): NamespaceType | undefined {
  if (key.startsWith('net.')) return 'network';
  if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) return 'ipc';
  if (UTS_SYSCTLS.has(key)) return 'uts';
  return undefined;
}

export interface NativeProcessOptions {
  umask?: number;
  user?: { uid: number; gid: number; additionalGids: number[] };
  sysctl?: { path: string; value: string }[];
  joinNamespaces?: { nstype: number; path: string }[];
}

export interface ProcessOptions {
  umask?: number;
  user?: ProcessUser;
  sysctl?: Record<string, string>;
  joinNamespaces?: NamespaceJoin[];
}

const ID_MAX = 0xfffffffe; // (uid_t)-1 means "unchanged" to the kernel

/**
 * Validates the process options. `usernsSize`: ids the container's user namespace maps (undefined: none);
 * `supervised`: the container is cloned by a launcher, which can join a pid namespace for it.
 */
export function checkProcess(options: ProcessOptions, { usernsSize, supervised }: { usernsSize?: number; supervised: boolean }): NativeProcessOptions {
  const out: NativeProcessOptions = {};
  if (options.umask !== undefined) out.umask = checkInteger('umask', options.umask, 0, 0o777);
  if (options.user !== undefined) {
    const u = options.user;
    if (typeof u !== 'object' || u === null) invalid('user', 'must be an object');
    const maxId = usernsSize === undefined ? ID_MAX : usernsSize - 1;
    const within = usernsSize === undefined ? '' : ` (the user namespace maps 0-${maxId})`;
    const id = (name: string, v: unknown) => {
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > maxId) invalid(name, `must be an integer 0-${maxId}${within}, got ${String(v)}`);
      return v as number;
    };
    const groups = u.additionalGids ?? [];
    if (!Array.isArray(groups) || groups.length > 65536) invalid('user.additionalGids', 'must be an array of at most 65536 gids');
    out.user = { uid: id('user.uid', u.uid), gid: id('user.gid', u.gid), additionalGids: groups.map((g, i) => id(`user.additionalGids[${i}]`, g)) };
  }
  const joined = new Set<NamespaceType>();
  if (options.joinNamespaces !== undefined) {
    if (!Array.isArray(options.joinNamespaces)) invalid('joinNamespaces', 'must be an array');
    out.joinNamespaces = options.joinNamespaces.map((j, i) => {
      const name = `joinNamespaces[${i}]`;
      const nstype = NSTYPE[j?.type];
      if (j?.type === 'mount') invalid(`${name}.type`, "'mount' cannot be joined: the container's root is built in a mount namespace of its own");
      if (j?.type === 'user') invalid(`${name}.type`, "'user' cannot be joined: use security.userns for a user namespace of the container's own");
      if (nstype === undefined) invalid(`${name}.type`, `must be one of network, ipc, uts, pid, cgroup, got '${String(j?.type)}'`);
      if (joined.has(j.type)) invalid(`${name}.type`, `'${j.type}' is given twice`);
      if (usernsSize !== undefined) invalid(name, 'a namespace cannot be joined by a container with its own user namespace (security.userns): it would hold no capability over it');
      if (j.type === 'pid' && !supervised) invalid(name, "a pid namespace can only be joined with `supervisor` (the container's parent must be inside it)");
      joined.add(j.type);
      return { nstype, path: checkString(`${name}.path`, j.path, true) };
    });
  }
  if (options.sysctl !== undefined) {
    if (typeof options.sysctl !== 'object' || options.sysctl === null) invalid('sysctl', 'must be an object of key: value');
    out.sysctl = Object.entries(options.sysctl).map(([key, value]) => {
      const name = `sysctl['${key}']`;
      if (!/^[a-z0-9_]+(\.[a-z0-9_-]+)+$/i.test(key) || key.includes('/') || key.includes('..')) invalid(name, 'must be a dotted sysctl name such as net.ipv4.ip_forward');
      const ns = sysctlNamespace(key);
      if (ns === undefined) invalid(name, 'is not scoped to a namespace of the container (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, kernel.hostname, kernel.domainname); writing it would change the host');
      if (joined.has(ns)) invalid(name, `belongs to the joined ${ns} namespace, which is not the container's own`);
      return { path: key.replace(/\./g, '/'), value: checkString(name, value) };
    });
  }
  return out;
}
