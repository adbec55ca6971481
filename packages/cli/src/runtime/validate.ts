// validate.ts — every check on a run request, before the first syscall that creates anything (runc's
// configs/validate model). Each check throws one CtrError naming the value and what to do; nothing has been
// created yet, so nothing can leak.
import { statSync, realpathSync } from 'node:fs';
import { parseIpv4 } from '@ctr/netns';
import path from 'node:path';
import { invalid } from './errors.js';

/** RFC 1123 host name, at most 64 bytes (HOST_NAME_MAX, sethostname(2)). */
export function validateHostname(hostname: string): string {
  if (hostname.length === 0 || Buffer.byteLength(hostname) > 64) {
    throw invalid(`invalid hostname "${hostname}": it must be 1 to 64 characters long`);
  }
  const label = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  if (!hostname.split('.').every((part) => label.test(part))) {
    throw invalid(
      `invalid hostname "${hostname}": use letters, digits, '-' and '.', not starting or ending with '-'`,
    );
  }
  return hostname;
}

/** Docker's container name rule; names become file names in the state directory. */
export function validateName(name: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(name)) {
    throw invalid(`invalid container name "${name}": use [a-zA-Z0-9][a-zA-Z0-9_.-], at most 63 characters`);
  }
  return name;
}

/** Resolves the rootfs to a real absolute directory. */
export function validateRootfs(rootfs: string): string {
  const abs = path.resolve(rootfs);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw invalid(`rootfs "${rootfs}" does not exist; build the default one with \`ctr rootfs build\``, abs);
  }
  if (!st.isDirectory()) throw invalid(`rootfs "${rootfs}" is not a directory`, abs);
  return realpathSync(abs);
}

/** `-e K=V` (or `-e K`, copied from ctr's environment as docker does). */
export function validateEnv(specs: string[]): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = eq < 0 ? spec : spec.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw invalid(`invalid environment variable "${spec}": use KEY=VALUE`);
    if (eq >= 0) out.push(spec);
    else if (process.env[key] !== undefined) out.push(`${key}=${process.env[key]}`);
  }
  return out;
}

export function validateWorkdir(dir: string): string {
  if (!dir.startsWith('/')) throw invalid(`invalid --workdir "${dir}": it must be an absolute path`);
  return path.posix.normalize(dir);
}

export interface PublishSpec {
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

function port(value: string, spec: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) {
    throw invalid(`invalid --publish "${spec}": port "${value}" must be 1-65535`);
  }
  return n;
}

/** `-p [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp]` — TCP only. */
export function parsePublish(spec: string): PublishSpec {
  const body = spec.endsWith('/tcp') ? spec.slice(0, -4) : spec;
  if (body.includes('/')) throw invalid(`invalid --publish "${spec}": only tcp is supported`);
  const parts = body.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw invalid(`invalid --publish "${spec}": use [HOSTIP:]HOSTPORT:CONTAINERPORT`);
  }
  const [hostIp, hostPort, containerPort] = parts.length === 3 ? parts : ['0.0.0.0', ...parts];
  try {
    parseIpv4(hostIp!);
  } catch {
    throw invalid(`invalid --publish "${spec}": "${hostIp}" is not an IPv4 address`);
  }
  return { hostIp: hostIp!, hostPort: port(hostPort!, spec), containerPort: port(containerPort!, spec) };
}

export type NetMode = 'bridge' | 'none';

export function validateNetMode(mode: string): NetMode {
  if (mode === 'bridge' || mode === 'none') return mode;
  throw invalid(`unknown --net mode "${mode}": use bridge or none`);
}

/** setTimeout's range: a larger delay would fire at once (Node warns and uses 1 ms). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A wall-clock limit in milliseconds, 1 to MAX_TIMEOUT_MS; `what` names it in the message (timeoutMs, --timeout). */
export function validateTimeoutMs(ms: unknown, what = 'timeoutMs'): number {
  if (typeof ms !== 'number' || !(ms >= 1 && ms <= MAX_TIMEOUT_MS)) {
    throw invalid(`invalid ${what} ${String(ms)}: use a time from 1 ms to ${MAX_TIMEOUT_MS / 1000 / 86400 | 0} days`);
  }
  return ms;
}
