// mounts.ts — the `mounts` option of spawnContainer: extra mounts in the container, in the OCI runtime-spec
// shape (config.md "Mounts"), applied in order after the rootfs, /proc, /sys and /dev and before pivot_root.
// The options strings are parsed here into new-mount-API attributes (MOUNT_ATTR_*), a propagation type and
// filesystem parameters, so an unknown option fails before anything is cloned or mounted.
//
// A bind's source is opened by the runtime (open_tree, on the host, once, at spawn time: a symlink in it is
// followed there); its target is resolved inside the rootfs component by component with openat2
// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, and missing components are created (see src/mounts_child.cc).
// See: mount(8) (the option names), mount_setattr(2), fsopen(2), fsconfig(2), open_tree(2).
import { readFileSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { checkString, checkStrings, invalid } from './validate.js';

/** One mount, exactly as runtime-spec's config.md "Mounts" defines it. */
export interface Mount {
  /** absolute path inside the container; must not contain `..` */
  destination: string;
  /** 'bind', 'tmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup' or 'cgroup2' ('bind'/'rbind' in options makes any type a bind) */
  type: string;
  /** host path for a bind (resolved on the host, symlinks followed); device name otherwise */
  source?: string;
  /** mount(8) options: ro, nosuid, bind, rbind, rprivate, mode=1777, size=64m … */
  options?: string[];
}

// MOUNT_ATTR_* (linux/mount.h) and MS_* propagation types (sys/mount.h).
const ATTR = { RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, ATIME: 0x70, NOATIME: 0x10, STRICTATIME: 0x20, NODIRATIME: 0x80, NOSYMFOLLOW: 0x200000 } as const;
const MS = { UNBINDABLE: 1 << 17, PRIVATE: 1 << 18, SLAVE: 1 << 19, SHARED: 1 << 20 } as const;

/** A mount as the native side takes it (see NativeMount in native.ts). */
export interface NativeMount {
  /** relative to the rootfs: normalized, no leading '/' */
  destination: string;
  bind: boolean;
  recursive: boolean;
  /** bind: host path; otherwise the filesystem's source string ('' for none) */
  source: string;
  /** fsopen() name; '' for a bind */
  fstype: string;
  /** MOUNT_ATTR_* to set, and to clear (binds: the explicit rw/suid/dev/exec, and the atime field) */
  attrSet: number;
  attrClear: number;
  /** MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE, 0 to leave the propagation as it is */
  propagation: number;
  /** fsconfig() parameters, key then value ('' for a flag such as devpts' newinstance) */
  params: string[];
  /** the target after every other mount of this list: made read-only (a cgroup v1 view's tmpfs) */
  readonlyAfter?: boolean;
}

const FILESYSTEMS = new Set(['tmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2']);

interface Parsed {
  bind: boolean;
  recursive: boolean;
  attrSet: number;
  attrClear: number;
  propagation: number;
  params: string[];
}

/** Parses one mount's options; throws ERR_INVALID_ARG_VALUE naming the option for anything unknown. */
export function parseMountOptions(name: string, options: string[]): Parsed {
  const out: Parsed = { bind: false, recursive: false, attrSet: 0, attrClear: 0, propagation: 0, params: [] };
  const set = (attr: number) => {
    out.attrSet |= attr;
    out.attrClear &= ~attr;
  };
  const clear = (attr: number) => {
    out.attrClear |= attr;
    out.attrSet &= ~attr;
  };
  const atime = (mode: number) => {
    out.attrSet = (out.attrSet & ~ATTR.ATIME) | mode;
    out.attrClear |= ATTR.ATIME;
  };
  const propagation: Record<string, [number, boolean]> = {
    private: [MS.PRIVATE, false], rprivate: [MS.PRIVATE, true], slave: [MS.SLAVE, false], rslave: [MS.SLAVE, true],
    shared: [MS.SHARED, false], rshared: [MS.SHARED, true], unbindable: [MS.UNBINDABLE, false], runbindable: [MS.UNBINDABLE, true],
  };
  for (const [i, option] of options.entries()) {
    const eq = option.indexOf('=');
    if (eq > 0) {
      // Filesystem data (mode=, size=, uid=, gid=, nr_inodes=, ptmxmode=, hidepid= …): the kernel judges it.
      out.params.push(option.slice(0, eq), option.slice(eq + 1));
      continue;
    }
    switch (option) {
      case 'ro': set(ATTR.RDONLY); break;
      case 'rw': clear(ATTR.RDONLY); break;
      case 'nosuid': set(ATTR.NOSUID); break;
      case 'suid': clear(ATTR.NOSUID); break;
      case 'nodev': set(ATTR.NODEV); break;
      case 'dev': clear(ATTR.NODEV); break;
      case 'noexec': set(ATTR.NOEXEC); break;
      case 'exec': clear(ATTR.NOEXEC); break;
      case 'nosymfollow': set(ATTR.NOSYMFOLLOW); break;
      case 'relatime': atime(0); break;
      case 'noatime': atime(ATTR.NOATIME); break;
      case 'strictatime': atime(ATTR.STRICTATIME); break;
      case 'nodiratime': set(ATTR.NODIRATIME); break;
      case 'diratime': clear(ATTR.NODIRATIME); break;
      case 'bind': out.bind = true; break;
      case 'rbind': out.bind = true; out.recursive = true; break;
      // The kernel's defaults, which nothing here could turn off: accepted as no-ops.
      case 'defaults': case 'async': case 'nomand': case 'norelatime': case 'nostrictatime': case 'atime': break;
      // devpts: every mount is a new instance since Linux 4.7; the flag is still a valid parameter.
      case 'newinstance': out.params.push('newinstance', ''); break;
      case 'tmpcopyup':
        invalid(`${name}.options[${i}]`, "'tmpcopyup' (copy the image's files into the tmpfs) is not supported; mount an empty tmpfs or bind a prepared directory");
      default: {
        const prop = propagation[option];
        if (prop === undefined) invalid(`${name}.options[${i}]`, `'${option}' is not a known mount option (ro, rw, nosuid, nodev, noexec, bind, rbind, private, rprivate, slave, shared, relatime, noatime, strictatime, key=value …)`);
        out.propagation = prop[0];
        // rprivate on a non-recursive mount has nothing more to reach; on an rbind it reaches the submounts
        if (prop[1]) out.recursive ||= out.bind;
      }
    }
  }
  return out;
}

/** Whether /sys/fs/cgroup is cgroup2 (a unified host); hybrid and v1 hosts mount tmpfs there. */
function unifiedCgroupHost(): boolean {
  try {
    return statfsSync('/sys/fs/cgroup').type === 0x63677270;
  } catch {
    return false;
  }
}

// On a v1 or hybrid host a cgroup mount is runc's shape: a tmpfs with one cgroup v1 mount per hierarchy this
// process is in (each rooted at the container's own group by its cgroup namespace), plus cgroup2 as
// `unified` on a hybrid host; the tmpfs is made read-only after them.
function cgroupV1View(name: string, destination: string, parsed: Parsed): NativeMount[] {
  const base = { bind: false, recursive: false, attrSet: parsed.attrSet | ATTR.NOSUID | ATTR.NODEV | ATTR.NOEXEC, attrClear: 0, propagation: 0 };
  const out: NativeMount[] = [
    { ...base, destination, source: 'tmpfs', fstype: 'tmpfs', attrSet: base.attrSet & ~ATTR.RDONLY, params: ['mode', '755'], propagation: parsed.propagation, readonlyAfter: true },
  ];
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers] = line.split(':');
    if (controllers === undefined) continue;
    if (controllers === '') {
      out.push({ ...base, destination: `${destination}/unified`, source: 'cgroup2', fstype: 'cgroup2', params: [] });
      continue;
    }
    const names = controllers.split(',');
    // named hierarchies (name=systemd) mount with the name as a parameter and no controller
    const params = names.flatMap((c) => (c.startsWith('name=') ? ['name', c.slice(5)] : [c, '']));
    const dir = names.map((c) => c.replace(/^name=/, '')).join(',');
    if (!/^[\w,]+$/.test(dir)) invalid(name, `cannot mount the cgroup v1 hierarchy '${controllers}'`);
    out.push({ ...base, destination: `${destination}/${dir}`, source: 'cgroup', fstype: 'cgroup', params });
  }
  return out;
}

/**
 * Validates the mounts option; returns what the native side takes. `cgroupns`: the container gets its own
 * cgroup namespace (a cgroup mount without one would show the host's whole hierarchy).
 */
export function checkMounts(mounts: Mount[], { cgroupns = true } = {}): NativeMount[] {
  if (!Array.isArray(mounts)) invalid('mounts', 'must be an array');
  return mounts.flatMap((m, i): NativeMount[] => {
    const name = `mounts[${i}]`;
    if (typeof m !== 'object' || m === null) invalid(name, 'must be an object');
    const dest = checkString(`${name}.destination`, m.destination, true);
    if (dest.split('/').includes('..')) invalid(`${name}.destination`, `must not contain '..', got '${dest}'`);
    const destination = path.posix.normalize(dest).replace(/^\/+|\/+$/g, '');
    if (destination === '' || destination === '.') invalid(`${name}.destination`, "must not be '/' (the rootfs is the container's root)");
    const type = m.type === undefined ? '' : checkString(`${name}.type`, m.type);
    const options = m.options === undefined ? [] : checkStrings(`${name}.options`, m.options);
    const parsed = parseMountOptions(name, options);
    const common = { destination, attrSet: parsed.attrSet, attrClear: parsed.attrClear, propagation: parsed.propagation };
    if (parsed.bind || type === 'bind') {
      const source = checkString(`${name}.source`, m.source, true);
      if (parsed.params.length > 0) invalid(`${name}.options`, `'${parsed.params[0]}=…' is filesystem data, which a bind mount cannot take`);
      return [{ ...common, bind: true, recursive: parsed.recursive, source, fstype: '', params: [] }];
    }
    if (!FILESYSTEMS.has(type)) invalid(`${name}.type`, `'${type}' is not supported (bind, ${[...FILESYSTEMS].join(', ')})`);
    const source = m.source === undefined ? type : checkString(`${name}.source`, m.source);
    if (type === 'cgroup' || type === 'cgroup2') {
      if (!cgroupns) invalid(name, 'a cgroup mount needs the container\'s own cgroup namespace, which this kernel lacks');
      // Writable, the container's root would be writing its own limits (memory.max …) from inside.
      if (!(parsed.attrSet & ATTR.RDONLY)) invalid(`${name}.options`, "a cgroup mount must be read-only: add 'ro'");
      if (type === 'cgroup' && !unifiedCgroupHost()) return cgroupV1View(name, destination, parsed);
      return [{ ...common, bind: false, recursive: false, source, fstype: 'cgroup2', params: parsed.params }];
    }
    return [{ ...common, bind: false, recursive: false, source, fstype: type, params: parsed.params }];
  });
}
