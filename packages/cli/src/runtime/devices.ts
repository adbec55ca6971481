// devices.ts — which device nodes a container may use. Every container's cgroup gets Docker's default
// allow-list (@ctr/cgroups DEFAULT_DEVICE_RULES: null, zero, full, random, urandom, tty, console, ptmx, pts;
// mknod of anything, opening nothing else), because CAP_MKNOD alone would let root inside make a node for the
// host's disk or /dev/mem and open it. `--device HOSTPATH[:CONTAINERPATH][:rwm]` adds a host device: a node
// with its numbers in the container's /dev and an allow rule for them; `--privileged` allows every device.
import { statSync } from 'node:fs';
import path from 'node:path';
import { ALLOW_ALL, DEFAULT_DEVICE_RULES, deviceRuleText, type DeviceRule } from '@ctr/cgroups';
import { reservedDevicePaths, type DeviceNode } from '@ctr/ns-native';
import { invalid } from './errors.js';

export interface PreparedDevices {
  /** the cgroup's rule list: the default (allow or deny all) and its exceptions */
  rules: readonly DeviceRule[];
  /** nodes to create in the container's /dev */
  nodes: DeviceNode[];
  /** what `ctr ps --json` shows under security.devices: `deny a *:* rwm`, `allow c 1:3 rwm`, … */
  summary: string[];
}

const isMode = (s: string) => /^[rwm]{1,3}$/.test(s) && new Set(s).size === s.length;

/** Parses and checks one `--device` value; throws a one-line CtrError (exit 125) before anything exists. */
export function parseDevice(spec: string): { node: DeviceNode; rule: DeviceRule } {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw invalid(`invalid --device "${spec}": use HOSTPATH[:CONTAINERPATH][:rwm], e.g. /dev/fuse or /dev/sdc:/dev/xvdc:r`);
  }
  const [hostPath, second, third] = parts as [string, string?, string?];
  // with two parts the second is the container path when it is a path, else the permissions
  const secondIsMode = third === undefined && second !== undefined && !second.startsWith('/');
  const inside = (secondIsMode ? undefined : second) ?? hostPath;
  const mode = third ?? (secondIsMode ? second! : 'rwm');
  if (!isMode(mode)) throw invalid(`invalid --device "${spec}": permissions "${mode}" must be a combination of r, w and m`);
  if (!path.isAbsolute(hostPath)) throw invalid(`invalid --device "${spec}": "${hostPath}" must be an absolute host path`);
  let st;
  try {
    st = statSync(hostPath);
  } catch (err) {
    throw invalid(`invalid --device "${spec}": "${hostPath}" does not exist on the host (${(err as NodeJS.ErrnoException).code})`, hostPath);
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) {
    throw invalid(`invalid --device "${spec}": "${hostPath}" is not a character or block device`, hostPath);
  }
  if (!inside.startsWith('/dev/') || path.posix.normalize(inside) !== inside || inside.endsWith('/')) {
    throw invalid(`invalid --device "${spec}": the container path "${inside}" must be a plain absolute path below /dev`);
  }
  if (reservedDevicePaths.some((r) => inside === r || inside.startsWith(`${r}/`))) {
    throw invalid(`invalid --device "${spec}": ctr sets up ${inside} itself; choose another container path`);
  }
  const type = st.isBlockDevice() ? 'b' : 'c';
  // st_rdev: Linux's new_encode_dev layout, major in bits 8-19, minor in bits 0-7 and 20-31 (sysmacros.h)
  const major = (st.rdev >>> 8) & 0xfff;
  const minor = (st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00);
  const access = ['r', 'w', 'm'].filter((a) => mode.includes(a)).join('');
  return {
    node: { path: inside, hostPath, type, major, minor, mode: st.mode & 0o777 },
    rule: { allow: true, type, major, minor, access },
  };
}

/** The device rules and nodes of one container. */
export function prepareDevices(specs: string[], privileged: boolean): PreparedDevices {
  const parsed = specs.map(parseDevice);
  const seen = new Set<string>();
  for (const { node } of parsed) {
    if (seen.has(node.path)) throw invalid(`invalid --device: ${node.path} is given twice`);
    seen.add(node.path);
  }
  const rules = privileged ? [ALLOW_ALL] : [...DEFAULT_DEVICE_RULES, ...parsed.map((p) => p.rule)];
  return {
    rules,
    nodes: parsed.map((p) => p.node),
    summary: rules.map((r) => `${r.allow ? 'allow' : 'deny'} ${deviceRuleText(r)}`),
  };
}
