// spec.ts — `ctrun spec`: writes a default config.json for a bundle whose root filesystem is ./rootfs, the
// same container runc's `spec` describes (sh on a terminal, a read-only root, the default filesystems, three
// capabilities, new namespaces of every kind but user, all devices denied but the defaults), to be edited.
// --rootless is refused: ctrun runs containers as root.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ioError, OciError } from './errors.js';
import { OCI_VERSION } from './version.js';

const CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export function defaultSpec(): Record<string, unknown> {
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'ctrun',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts', type: 'devpts', source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** Writes BUNDLE/config.json; an existing one is never overwritten (runc refuses the same way). */
export function writeSpec(bundle: string, rootless: boolean): string {
  if (rootless) throw new OciError('spec --rootless is not supported: ctrun runs containers as root', { code: 'USAGE' });
  const path = join(resolve(bundle), 'config.json');
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST')
      throw new OciError(`${path} exists; remove it first`, { code: 'EXISTS', path, cause });
    throw ioError('create', path, cause);
  }
  try {
    writeSync(fd, `${JSON.stringify(defaultSpec(), null, '\t')}\n`);
  } finally {
    closeSync(fd);
  }
  return path;
}
