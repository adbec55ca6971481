// mounts.ts — config.json `mounts` (runtime-spec config.md "Mounts", config-linux.md "Mount Options"): each
// entry becomes what mount(2) takes. Options known as MS_* flags set (or, for "rw", "suid"…, clear) flags;
// bind/rbind make a bind mount; propagation words become a second mount(2) call; everything else
// (mode=755, size=65536k, newinstance, ptmxmode=0666…) is filesystem data, as mount(8) passes it.
// Options that need mount_setattr(2) (recursive "rro"…, idmap) are refused rather than dropped.
import { isAbsolute, posix, resolve } from 'node:path';
import type { OciMount, Propagation } from './model.js';
import { isSet, type Reader } from './reader.js';

// <linux/mount.h> MS_* flags
export const MS = {
  RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, SYNCHRONOUS: 0x10, MANDLOCK: 0x40, DIRSYNC: 0x80,
  NOATIME: 0x400, NODIRATIME: 0x800, BIND: 0x1000, REC: 0x4000, UNBINDABLE: 0x20000, PRIVATE: 0x40000,
  SLAVE: 0x80000, SHARED: 0x100000, RELATIME: 0x200000, STRICTATIME: 0x1000000, LAZYTIME: 0x2000000,
} as const;

/** option → [flags set, flags cleared] */
const FLAG_OPTIONS: Readonly<Record<string, readonly [number, number]>> = {
  defaults: [0, 0],
  ro: [MS.RDONLY, 0], rw: [0, MS.RDONLY],
  nosuid: [MS.NOSUID, 0], suid: [0, MS.NOSUID],
  nodev: [MS.NODEV, 0], dev: [0, MS.NODEV],
  noexec: [MS.NOEXEC, 0], exec: [0, MS.NOEXEC],
  sync: [MS.SYNCHRONOUS, 0], async: [0, MS.SYNCHRONOUS],
  dirsync: [MS.DIRSYNC, 0],
  mand: [MS.MANDLOCK, 0], nomand: [0, MS.MANDLOCK],
  noatime: [MS.NOATIME, 0], atime: [0, MS.NOATIME],
  nodiratime: [MS.NODIRATIME, 0], diratime: [0, MS.NODIRATIME],
  relatime: [MS.RELATIME, 0], norelatime: [0, MS.RELATIME],
  strictatime: [MS.STRICTATIME, 0], nostrictatime: [0, MS.STRICTATIME],
  lazytime: [MS.LAZYTIME, 0], nolazytime: [0, MS.LAZYTIME],
};

export const PROPAGATIONS: readonly Propagation[] = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable'];

/** MS_* flags of a propagation word, for the mount(2) call that changes it. */
export function propagationFlags(p: Propagation): number {
  const base = { private: MS.PRIVATE, shared: MS.SHARED, slave: MS.SLAVE, unbindable: MS.UNBINDABLE }[p.replace(/^r/, '') as 'private'];
  return p.startsWith('r') ? base | MS.REC : base;
}

/** Every mount option the parser turns into flags, a bind or a propagation (the rest is filesystem data). */
export const MOUNT_OPTION_NAMES: readonly string[] = [...Object.keys(FLAG_OPTIONS), 'bind', 'rbind', ...PROPAGATIONS];

/** Filesystems ctrun mounts; any other type is refused. */
export const MOUNT_TYPES = ['bind', 'proc', 'sysfs', 'tmpfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2'] as const;

const REFUSED_OPTIONS: Readonly<Record<string, string>> = {
  idmap: 'idmapped mounts are not implemented',
  ridmap: 'idmapped mounts are not implemented',
  tmpcopyup: 'tmpcopyup is not implemented',
  remount: 'a config.json mount cannot be a remount',
  move: 'a config.json mount cannot be a move',
};

export function parseMounts(r: Reader, value: unknown, bundle: string): OciMount[] {
  if (!isSet(value)) return [];
  return r.array(value, 'mounts').map((item, i) => parseMount(r, item, `mounts[${i}]`, bundle));
}

function parseMount(r: Reader, value: unknown, field: string, bundle: string): OciMount {
  const raw = r.object(value, field);
  r.keys(raw, field, ['destination', 'type', 'source', 'options'], {
    uidMappings: 'idmapped mounts are not implemented',
    gidMappings: 'idmapped mounts are not implemented',
  });
  let destination = r.string(raw.destination, `${field}.destination`);
  if (destination === '') r.fail(`${field}.destination`, 'must be a path in the container, got ""');
  // config.md: a relative destination is taken relative to "/" (runc and crun do the same).
  destination = posix.resolve('/', destination);
  const options = !isSet(raw.options) ? [] : r.strings(raw.options, `${field}.options`);
  const mount: OciMount = { destination, type: '', source: '', bind: false, recursive: false, flags: 0, clearFlags: 0, data: '', options };
  const data: string[] = [];
  options.forEach((option, j) => {
    const where = `${field}.options[${j}]`;
    const flag = FLAG_OPTIONS[option];
    if (flag) {
      mount.flags = (mount.flags | flag[0]) & ~flag[1];
      mount.clearFlags = (mount.clearFlags | flag[1]) & ~flag[0];
    } else if (option === 'bind' || option === 'rbind') {
      mount.bind = true;
      mount.recursive ||= option === 'rbind';
    } else if ((PROPAGATIONS as readonly string[]).includes(option)) {
      mount.propagation = option as Propagation;
    } else if (option in REFUSED_OPTIONS) {
      r.unsupported(where, REFUSED_OPTIONS[option]!);
    } else if (/^r(ro|rw|nosuid|suid|nodev|dev|noexec|exec|noatime|atime|relatime|norelatime|strictatime|nostrictatime|nodiratime|diratime|nosymfollow|symfollow)$/.test(option)) {
      r.unsupported(where, `recursive mount attribute "${option}" needs mount_setattr(2), which ctrun does not use`);
    } else if (option === '') {
      r.fail(where, 'is empty');
    } else {
      data.push(option);
    }
  });
  mount.data = data.join(',');
  const type = !isSet(raw.type) ? '' : r.string(raw.type, `${field}.type`);
  // "bind" and "none" with bind options are both how engines write bind mounts (containerd: type "bind").
  if (type === 'bind' || ((type === '' || type === 'none') && mount.bind)) {
    mount.type = 'bind';
    mount.bind = true;
  } else if ((MOUNT_TYPES as readonly string[]).includes(type)) {
    if (mount.bind) r.fail(`${field}.options`, `bind/rbind with type ${JSON.stringify(type)}: a bind mount has type "bind"`);
    mount.type = type;
  } else if (type === '') {
    r.fail(`${field}.type`, 'must be given unless the options contain bind or rbind');
  } else {
    r.unsupported(`${field}.type`, `${JSON.stringify(type)} (ctrun mounts ${MOUNT_TYPES.join(', ')})`);
  }
  const source = !isSet(raw.source) ? '' : r.string(raw.source, `${field}.source`);
  if (mount.bind) {
    if (source === '') r.fail(`${field}.source`, 'must name the host path of a bind mount');
    // config.md: a relative source of a bind mount is relative to the bundle.
    mount.source = isAbsolute(source) ? source : resolve(bundle, source);
  } else {
    mount.source = source || mount.type;
  }
  return mount;
}
