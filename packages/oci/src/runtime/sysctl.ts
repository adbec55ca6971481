// sysctl.ts — linux.sysctl keys of a namespace the config joins by path (podman's network namespace, made by
// the engine for this container): @ctr/ns-native's spawn writes only into namespaces the container has of its
// own, so these are written here, from inside the joined namespace (nsenter(1); /proc/sys/net and the ipc
// and uts keys resolve against the writer's namespace, not the file's). A joined namespace that is the
// runtime's own is refused, as runc does: the write would change the host.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { sysctlNamespace, type NamespaceJoin } from '@ctr/ns-native';
import { OciError } from '../errors.js';

const NSENTER_FLAG: Readonly<Record<string, string>> = { network: '--net', ipc: '--ipc', uts: '--uts' };
const PROC_NS: Readonly<Record<string, string>> = { network: 'net', ipc: 'ipc', uts: 'uts' };

export interface SysctlSplit {
  /** for spawn: keys of namespaces the container creates */
  own: Record<string, string>;
  /** written by writeJoinedSysctls: keys of namespaces joined by a path */
  joined: { key: string; value: string; join: NamespaceJoin }[];
}

/** Splits linux.sysctl; refuses a key of a namespace shared with the runtime (left out of the config). */
export function splitSysctls(sysctl: Readonly<Record<string, string>>, joins: readonly NamespaceJoin[], configPaths: ReadonlySet<string>): SysctlSplit {
  const split: SysctlSplit = { own: {}, joined: [] };
  for (const [key, value] of Object.entries(sysctl)) {
    const type = sysctlNamespace(key);
    const join = joins.find((j) => j.type === type);
    if (type === undefined || join === undefined) {
      split.own[key] = value;
      continue;
    }
    if (!configPaths.has(join.path) || sameNamespace(join.path, `/proc/self/ns/${PROC_NS[type]}`))
      throw new OciError(`config.json: linux.sysctl.${key}: the container shares the runtime's ${type} namespace; setting it would change the host's`, { code: 'INVALID_CONFIG', field: `linux.sysctl.${key}` });
    split.joined.push({ key, value, join });
  }
  return split;
}

function sameNamespace(a: string, b: string): boolean {
  const [x, y] = [statSync(a), statSync(b)];
  return x.ino === y.ino && x.dev === y.dev;
}

export function writeJoinedSysctls(joined: SysctlSplit['joined']): void {
  for (const { key, value, join } of joined) {
    const file = `/proc/sys/${key.replace(/\./g, '/')}`;
    const r = spawnSync('nsenter', [`${NSENTER_FLAG[join.type]}=${join.path}`, '--', 'tee', file], {
      input: value, stdio: ['pipe', 'ignore', 'pipe'], encoding: 'utf8',
    });
    if (r.error !== undefined || r.status !== 0)
      throw new OciError(`linux.sysctl.${key}: cannot write ${value} in ${join.path}: ${r.error?.message ?? r.stderr.trim()}`, { code: 'SETUP_FAILED', field: `linux.sysctl.${key}` });
  }
}
