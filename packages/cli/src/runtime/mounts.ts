// mounts.ts — `-v/--volume`, `--mount`, `--tmpfs` and `--ulimit` (docker's syntax) mapped onto the spawn's
// runtime-spec shapes: a mount list and rlimits (@ctr/ns-native). Everything is checked here, before anything
// is created: host paths exist, container paths are absolute without `..`, sizes parse, a target is not given
// twice, a hard limit is not raised without the right to. How the kernel side is made safe (sources opened on
// the host, targets resolved inside the rootfs without symlinks) is @ctr/ns-native's mounts.
// See: docker run --volume/--mount/--tmpfs/--ulimit reference.
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseSize } from '@ctr/cgroups';
import { checkMounts, checkRlimits, rlimitTypes, type Mount, type Rlimit, type RlimitType } from '@ctr/ns-native';
import { invalid } from './errors.js';

export interface MountFlags {
  /** `-v HOSTPATH:CONTAINERPATH[:ro|rw]` */
  volume?: string[];
  /** `--mount type=bind|tmpfs,source=…,target=…[,readonly][,tmpfs-size=…][,tmpfs-mode=…]` */
  mount?: string[];
  /** `--tmpfs PATH[:size=…,mode=…,…]` */
  tmpfs?: string[];
  /** `--ulimit NAME=SOFT[:HARD]` */
  ulimit?: string[];
}

export interface PreparedMounts {
  mounts: Mount[];
  rlimits: Rlimit[];
  /** what `ctr inspect` / `ps --json` show: `HOST:CONTAINER:ro`, `tmpfs:/tmp:size=64m`, `nofile=1024:1024` */
  summary: { mounts?: string[]; ulimits?: string[] };
}

// docker's defaults for a tmpfs (daemon/oci_linux.go): no setuid, devices or programs from it
const TMPFS_DEFAULTS = ['nosuid', 'nodev', 'noexec'];

function containerPath(flag: string, spec: string, inside: string | undefined): string {
  if (inside === undefined || inside === '') throw invalid(`invalid ${flag} "${spec}": the container path is missing`);
  if (!path.posix.isAbsolute(inside)) throw invalid(`invalid ${flag} "${spec}": the container path "${inside}" must be absolute`);
  if (inside.split('/').includes('..')) throw invalid(`invalid ${flag} "${spec}": the container path "${inside}" must not contain ".."`);
  const normal = path.posix.normalize(inside).replace(/\/+$/, '');
  if (normal === '') throw invalid(`invalid ${flag} "${spec}": the container path must not be "/"`);
  return normal;
}

function hostPath(flag: string, spec: string, source: string | undefined): string {
  if (source === undefined || source === '') throw invalid(`invalid ${flag} "${spec}": the host path is missing`);
  if (!path.isAbsolute(source)) {
    throw invalid(`invalid ${flag} "${spec}": "${source}" is not an absolute host path (named volumes are not supported)`);
  }
  try {
    statSync(source);
  } catch (err) {
    throw invalid(`invalid ${flag} "${spec}": host path "${source}" does not exist (${(err as NodeJS.ErrnoException).code})`, source);
  }
  return source;
}

function tmpfsSize(flag: string, spec: string, text: string): string {
  try {
    return String(parseSize(text));
  } catch {
    throw invalid(`invalid ${flag} "${spec}": size "${text}" is not a size such as 64m or 1g`);
  }
}

function tmpfsMode(flag: string, spec: string, text: string): string {
  if (!/^[0-7]{1,4}$/.test(text)) throw invalid(`invalid ${flag} "${spec}": mode "${text}" must be octal, e.g. 1777`);
  return text;
}

function parseVolume(spec: string): Mount {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw invalid(`invalid --volume "${spec}": use HOSTPATH:CONTAINERPATH[:ro|rw]`);
  const [source, inside, mode] = parts as [string, string, string?];
  const options = ['rbind'];
  if (mode !== undefined) {
    if (mode !== 'ro' && mode !== 'rw') throw invalid(`invalid --volume "${spec}": mode "${mode}" must be ro or rw`);
    if (mode === 'ro') options.push('ro');
  }
  return { destination: containerPath('--volume', spec, inside), type: 'bind', source: hostPath('--volume', spec, source), options };
}

const boolean = (flag: string, spec: string, key: string, value: string | undefined): boolean => {
  if (value === undefined || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(`invalid ${flag} "${spec}": ${key}=${value} must be true or false`);
};

function parseMount(spec: string): Mount {
  const flag = '--mount';
  const fields = new Map<string, string | undefined>();
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const canonical = { src: 'source', dst: 'target', destination: 'target', ro: 'readonly' }[key] ?? key;
    if (!['type', 'source', 'target', 'readonly', 'bind-propagation', 'tmpfs-size', 'tmpfs-mode'].includes(canonical)) {
      throw invalid(`invalid --mount "${spec}": unknown field "${key}" (type, source, target, readonly, bind-propagation, tmpfs-size, tmpfs-mode)`);
    }
    if (fields.has(canonical)) throw invalid(`invalid --mount "${spec}": "${canonical}" is given twice`);
    fields.set(canonical, eq < 0 ? undefined : field.slice(eq + 1));
  }
  const type = fields.get('type');
  if (type !== 'bind' && type !== 'tmpfs') throw invalid(`invalid --mount "${spec}": type must be bind or tmpfs (got "${type ?? ''}")`);
  const destination = containerPath(flag, spec, fields.get('target'));
  const readonly = fields.has('readonly') && boolean(flag, spec, 'readonly', fields.get('readonly'));
  if (type === 'bind') {
    if (fields.has('tmpfs-size') || fields.has('tmpfs-mode')) throw invalid(`invalid --mount "${spec}": tmpfs-size and tmpfs-mode need type=tmpfs`);
    const propagation = fields.get('bind-propagation') ?? 'rprivate';
    if (!['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared'].includes(propagation)) {
      throw invalid(`invalid --mount "${spec}": bind-propagation "${propagation}" must be one of private, rprivate, slave, rslave, shared, rshared`);
    }
    return { destination, type: 'bind', source: hostPath(flag, spec, fields.get('source')), options: ['rbind', propagation, ...(readonly ? ['ro'] : [])] };
  }
  if (fields.get('source') !== undefined) throw invalid(`invalid --mount "${spec}": a tmpfs has no source`);
  if (fields.has('bind-propagation')) throw invalid(`invalid --mount "${spec}": bind-propagation needs type=bind`);
  const size = fields.get('tmpfs-size');
  const mode = fields.get('tmpfs-mode');
  const options = [...TMPFS_DEFAULTS, ...(readonly ? ['ro'] : [])];
  if (size !== undefined) options.push(`size=${tmpfsSize(flag, spec, size)}`);
  if (mode !== undefined) options.push(`mode=${tmpfsMode(flag, spec, mode)}`);
  return { destination, type: 'tmpfs', source: 'tmpfs', options };
}

// --tmpfs takes mount(8) options after the colon; the ones docker documents are checked here, the rest by
// the spawn's own option parser (an unknown one is still refused before anything is made).
function parseTmpfs(spec: string): Mount {
  const flag = '--tmpfs';
  const colon = spec.indexOf(':');
  const destination = containerPath(flag, spec, colon < 0 ? spec : spec.slice(0, colon));
  const options = [...TMPFS_DEFAULTS];
  for (const option of colon < 0 ? [] : spec.slice(colon + 1).split(',')) {
    if (option.startsWith('size=')) options.push(`size=${tmpfsSize(flag, spec, option.slice(5))}`);
    else if (option.startsWith('mode=')) options.push(`mode=${tmpfsMode(flag, spec, option.slice(5))}`);
    else if (option !== '') options.push(option);
  }
  return { destination, type: 'tmpfs', source: 'tmpfs', options };
}

const ULIMIT_NAMES = new Map<string, RlimitType>(rlimitTypes.map((t) => [t.slice('RLIMIT_'.length).toLowerCase(), t]));

function parseUlimit(spec: string): Rlimit {
  const match = /^([a-z]+)=(-1|\d+)(?::(-1|\d+))?$/.exec(spec);
  const type = match ? ULIMIT_NAMES.get(match[1]!) : undefined;
  if (!match || type === undefined) {
    throw invalid(`invalid --ulimit "${spec}": use NAME=SOFT[:HARD] with NAME one of ${[...ULIMIT_NAMES.keys()].join(', ')} (-1: unlimited)`);
  }
  const value = (text: string) => (text === '-1' ? Infinity : Number(text));
  const soft = value(match[2]!);
  const hard = match[3] === undefined ? soft : value(match[3]);
  if (soft > hard) throw invalid(`invalid --ulimit "${spec}": the soft limit ${match[2]} is above the hard limit ${match[3]}`);
  return { type, soft, hard };
}

/**
 * Runs a check of @ctr/ns-native, whose errors name `options.mounts[N]…`; rethrows one as the flag the user
 * typed: `invalid --tmpfs "/t:weird": 'weird' is not a known mount option …`.
 */
function rethrowForFlag(check: () => unknown, prefix: RegExp, flagOf: (index: number) => [string, string]): void {
  try {
    check();
  } catch (err) {
    const message = (err as Error).message;
    const match = prefix.exec(message);
    if (!match) throw err;
    const [flag, spec] = flagOf(Number(match[1]));
    throw invalid(`invalid ${flag} "${spec}": ${message.slice(match[0].length)}`);
  }
}

/** Parses and checks every flag; throws a one-line CtrError (exit 125) before anything exists. */
export function prepareMounts(flags: MountFlags, { userns = false } = {}): PreparedMounts {
  const parsed: [string, string, Mount][] = [
    ...(flags.volume ?? []).map((s): [string, string, Mount] => ['--volume', s, parseVolume(s)]),
    ...(flags.mount ?? []).map((s): [string, string, Mount] => ['--mount', s, parseMount(s)]),
    ...(flags.tmpfs ?? []).map((s): [string, string, Mount] => ['--tmpfs', s, parseTmpfs(s)]),
  ];
  const mounts = parsed.map(([, , m]) => m);
  // The spawn's own check of the options (e.g. an unknown one after --tmpfs PATH:), now rather than after the
  // cgroup and layer exist.
  rethrowForFlag(() => checkMounts(mounts), /^options\.mounts\[(\d+)\](?:\.\w+(?:\[\d+\])?)? /, (i) => parsed[i]!.slice(0, 2) as [string, string]);
  const seen = new Set<string>();
  for (const m of mounts) {
    if (seen.has(m.destination)) throw invalid(`duplicate mount point "${m.destination}": give each container path once`);
    seen.add(m.destination);
  }
  const ulimits = flags.ulimit ?? [];
  const rlimits = ulimits.map(parseUlimit);
  const seenLimits = new Set<string>();
  for (const [i, r] of rlimits.entries()) {
    if (seenLimits.has(r.type)) throw invalid(`invalid --ulimit "${ulimits[i]}": ${r.type.slice(7).toLowerCase()} is given twice`);
    seenLimits.add(r.type);
  }
  rethrowForFlag(() => checkRlimits(rlimits, { userns }), /^options\.rlimits\[(\d+)\] /, (i) => ['--ulimit', ulimits[i]!]);
  const summary: PreparedMounts['summary'] = {};
  if (mounts.length > 0) {
    summary.mounts = mounts.map((m) => `${m.type === 'bind' ? m.source : 'tmpfs'}:${m.destination}${m.options!.includes('ro') ? ':ro' : ''}`);
  }
  if (ulimits.length > 0) summary.ulimits = ulimits;
  return { mounts, rlimits, summary };
}
