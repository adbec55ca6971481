// linux.ts — config-linux.md `linux`: namespaces (new or joined by path), id mappings, device nodes,
// resources and cgroupsPath, seccomp, masked and read-only paths, sysctls and root propagation.
// Fields the spec defines and ctrun does not implement are refused by name.
import type { NamespaceType, OciDevice, OciIdMapping, OciLinux, OciNamespace, Propagation } from './model.js';
import { PROPAGATIONS } from './mounts.js';
import { isSet, type Reader } from './reader.js';
import { parseResources } from './resources.js';
import { parseSeccomp } from './seccomp.js';

const LINUX_KEYS = [
  'namespaces', 'uidMappings', 'gidMappings', 'devices', 'resources', 'cgroupsPath', 'seccomp',
  'maskedPaths', 'readonlyPaths', 'sysctl', 'rootfsPropagation',
];
const LINUX_REFUSED = {
  intelRdt: 'Intel RDT is not implemented',
  personality: 'execution domains (personality) are not implemented',
  mountLabel: 'SELinux mount labels are not implemented',
  memoryPolicy: 'NUMA memory policies are not implemented',
  netDevices: 'moving network devices is not implemented',
  timeOffsets: 'time namespaces are not implemented',
};

/** Namespaces ctrun can create or join (time namespaces are refused). */
export const NAMESPACE_TYPES: readonly NamespaceType[] = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup'];


export function parseLinux(r: Reader, value: unknown): OciLinux {
  const linux: OciLinux = {
    namespaces: [], uidMappings: [], gidMappings: [], devices: [], maskedPaths: [], readonlyPaths: [], sysctl: {},
  };
  if (!isSet(value)) return linux;
  const raw = r.object(value, 'linux');
  r.keys(raw, 'linux', LINUX_KEYS, LINUX_REFUSED);
  if (isSet(raw.namespaces)) linux.namespaces = parseNamespaces(r, raw.namespaces);
  if (isSet(raw.uidMappings)) linux.uidMappings = parseMappings(r, raw.uidMappings, 'linux.uidMappings');
  if (isSet(raw.gidMappings)) linux.gidMappings = parseMappings(r, raw.gidMappings, 'linux.gidMappings');
  const userns = linux.namespaces.some((ns) => ns.type === 'user' && ns.path === undefined);
  // config-linux.md: mappings are for a new user namespace; a new one without them maps nobody.
  if ((linux.uidMappings.length > 0 || linux.gidMappings.length > 0) && !userns)
    r.fail('linux.uidMappings', 'are given but linux.namespaces creates no user namespace');
  if (userns && (linux.uidMappings.length === 0 || linux.gidMappings.length === 0))
    r.fail('linux.namespaces', 'creates a user namespace without linux.uidMappings and linux.gidMappings');
  if (isSet(raw.devices)) linux.devices = r.array(raw.devices, 'linux.devices').map((d, i) => parseDevice(r, d, `linux.devices[${i}]`));
  if (isSet(raw.resources)) linux.resources = parseResources(r, raw.resources);
  if (isSet(raw.cgroupsPath) && raw.cgroupsPath !== '') {
    const path = r.string(raw.cgroupsPath, 'linux.cgroupsPath');
    // "slice:prefix:name" is the systemd driver's form, which ctrun refuses with --systemd-cgroup
    if (/^[^/]*:[^/]*:[^/]*$/.test(path)) r.unsupported('linux.cgroupsPath', `${JSON.stringify(path)} is a systemd unit path; ctrun drives cgroupfs only`);
    if (path.split('/').includes('..')) r.fail('linux.cgroupsPath', `must not contain "..", got ${JSON.stringify(path)}`);
    linux.cgroupsPath = path;
  }
  if (isSet(raw.seccomp)) linux.seccomp = parseSeccomp(r, raw.seccomp);
  if (isSet(raw.maskedPaths)) linux.maskedPaths = paths(r, raw.maskedPaths, 'linux.maskedPaths');
  if (isSet(raw.readonlyPaths)) linux.readonlyPaths = paths(r, raw.readonlyPaths, 'linux.readonlyPaths');
  if (isSet(raw.sysctl)) {
    linux.sysctl = r.stringMap(raw.sysctl, 'linux.sysctl');
    for (const key of Object.keys(linux.sysctl))
      if (!/^[A-Za-z0-9_.\-/]+$/.test(key) || key.split(/[./]/).includes('..'))
        r.fail(`linux.sysctl.${key}`, 'is not a sysctl name such as net.ipv4.ip_forward');
  }
  if (isSet(raw.rootfsPropagation) && raw.rootfsPropagation !== '')
    linux.rootfsPropagation = r.oneOf(raw.rootfsPropagation, PROPAGATIONS, 'linux.rootfsPropagation') as Propagation;
  return linux;
}

function parseNamespaces(r: Reader, value: unknown): OciNamespace[] {
  const seen = new Set<string>();
  return r.array(value, 'linux.namespaces').map((item, i) => {
    const field = `linux.namespaces[${i}]`;
    const raw = r.object(item, field);
    r.keys(raw, field, ['type', 'path']);
    const type = r.string(raw.type, `${field}.type`);
    if (type === 'time') r.unsupported(`${field}.type`, 'time namespaces are not implemented');
    if (!(NAMESPACE_TYPES as readonly string[]).includes(type))
      r.fail(`${field}.type`, `must be one of ${NAMESPACE_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
    // config-linux.md: a duplicated namespace type MUST be an error
    if (seen.has(type)) r.fail(`${field}.type`, `repeats the ${type} namespace`);
    seen.add(type);
    const ns: OciNamespace = { type: type as NamespaceType };
    if (isSet(raw.path) && raw.path !== '') ns.path = r.absolute(raw.path, `${field}.path`);
    return ns;
  });
}

function parseMappings(r: Reader, value: unknown, field: string): OciIdMapping[] {
  return r.array(value, field).map((item, i) => {
    const raw = r.object(item, `${field}[${i}]`);
    r.keys(raw, `${field}[${i}]`, ['containerID', 'hostID', 'size']);
    const mapping = {
      containerID: r.integer(raw.containerID, `${field}[${i}].containerID`, 0, 0xffff_ffff),
      hostID: r.integer(raw.hostID, `${field}[${i}].hostID`, 0, 0xffff_ffff),
      size: r.integer(raw.size, `${field}[${i}].size`, 1, 0xffff_ffff),
    };
    return mapping;
  });
}

function parseDevice(r: Reader, value: unknown, field: string): OciDevice {
  const raw = r.object(value, field);
  r.keys(raw, field, ['type', 'path', 'major', 'minor', 'fileMode', 'uid', 'gid']);
  const device: OciDevice = {
    type: r.oneOf(raw.type, ['c', 'b', 'u', 'p'] as const, `${field}.type`),
    path: r.absolute(raw.path, `${field}.path`),
    major: 0,
    minor: 0,
  };
  // config-linux.md: major and minor are REQUIRED unless the type is p (a FIFO)
  if (device.type !== 'p' || isSet(raw.major)) device.major = r.integer(raw.major, `${field}.major`, 0, 0xfff);
  if (device.type !== 'p' || isSet(raw.minor)) device.minor = r.integer(raw.minor, `${field}.minor`, 0, 0xfffff);
  if (isSet(raw.fileMode)) device.fileMode = r.integer(raw.fileMode, `${field}.fileMode`, 0, 0o7777);
  if (isSet(raw.uid)) device.uid = r.integer(raw.uid, `${field}.uid`, 0, 0xffff_ffff);
  if (isSet(raw.gid)) device.gid = r.integer(raw.gid, `${field}.gid`, 0, 0xffff_ffff);
  return device;
}

function paths(r: Reader, value: unknown, field: string): string[] {
  return r.array(value, field).map((item, i) => r.absolute(item, `${field}[${i}]`));
}
