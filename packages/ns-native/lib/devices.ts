// devices.ts — the `devices` option of spawnContainer: extra device nodes in the container's /dev (docker's
// `--device`). The child mknods each one with the given numbers (in a user namespace, where mknod is EPERM, it
// binds the host's node instead). Whether the container may open a node is the device cgroup's decision
// (@ctr/cgroups), not this one's. See: mknod(2), makedev(3).
import path from 'node:path';
import { checkInteger, checkString, invalid } from './validate.js';

export interface DeviceNode {
  /** inside the container: a normalized absolute path below /dev, outside /dev/pts and /dev/shm */
  path: string;
  /** the host's node, bound over `path` in a user namespace */
  hostPath: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  /** permission bits, e.g. 0o666 */
  mode: number;
}

/** Made by the mount table itself: a node there would be hidden by a mount or clash with a symlink. */
export const reservedDevicePaths: readonly string[] = ['/dev/pts', '/dev/shm', '/dev/ptmx', '/dev/fd', '/dev/stdin', '/dev/stdout', '/dev/stderr'];
const RESERVED = reservedDevicePaths;

/** Validates the devices option; returns the copy handed to the native side. */
export function checkDevices(devices: DeviceNode[]): DeviceNode[] {
  if (!Array.isArray(devices)) invalid('devices', 'must be an array');
  const seen = new Set<string>();
  return devices.map((d, i) => {
    const name = `devices[${i}]`;
    if (typeof d !== 'object' || d === null) invalid(name, 'must be an object');
    const inside = checkString(`${name}.path`, d.path, true);
    if (!inside.startsWith('/dev/') || path.posix.normalize(inside) !== inside || inside.endsWith('/')) {
      invalid(`${name}.path`, `must be a normalized path below /dev, got '${inside}'`);
    }
    if (RESERVED.some((r) => inside === r || inside.startsWith(`${r}/`))) invalid(`${name}.path`, `must not be in ${RESERVED.join(', ')}`);
    if (seen.has(inside)) invalid(`${name}.path`, `'${inside}' is given twice`);
    seen.add(inside);
    if (d.type !== 'c' && d.type !== 'b') invalid(`${name}.type`, "must be 'c' or 'b'");
    return {
      path: inside,
      hostPath: checkString(`${name}.hostPath`, d.hostPath, true),
      type: d.type,
      major: checkInteger(`${name}.major`, d.major, 0, 0xfff),
      minor: checkInteger(`${name}.minor`, d.minor, 0, 0xfffff),
      mode: checkInteger(`${name}.mode`, d.mode, 0, 0o777),
    };
  });
}
