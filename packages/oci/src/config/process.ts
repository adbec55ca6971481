// process.ts — config.json `process` (runtime-spec config.md "Process", "POSIX process", "Linux process"):
// the program, its environment, user, terminal, capabilities, rlimits and no_new_privs. Capability and
// rlimit names become the numbers capset(2)/prlimit(2) take; uids and gids are 32-bit.
import { capabilityNames } from '@ctr/ns-native';
import type { OciCapabilities, OciProcess, OciRlimit, OciUser } from './model.js';
import { isSet, type Json, type Reader } from './reader.js';

const PROCESS_KEYS = ['args', 'env', 'cwd', 'user', 'terminal', 'consoleSize', 'capabilities', 'rlimits', 'noNewPrivileges', 'oomScoreAdj'];
const PROCESS_REFUSED = {
  apparmorProfile: 'AppArmor is not implemented',
  selinuxLabel: 'SELinux is not implemented',
  ioPriority: 'I/O priority is not implemented',
  scheduler: 'scheduling policies are not implemented',
  execCPUAffinity: 'CPU affinity is not implemented',
  commandLine: 'commandLine is for Windows',
};

const CAP_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;

// <asm-generic/resource.h>: the resource numbers prlimit(2) takes on every Linux architecture ctr builds for.
const RLIMITS: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};
/** RLIM_INFINITY: all 64 bits set. */
export const RLIM_INFINITY = 2n ** 64n - 1n;

const UINT32_MAX = 0xffff_ffff;
// oom_score_adj range, proc(5)
const OOM_SCORE_ADJ_MIN = -1000;
const OOM_SCORE_ADJ_MAX = 1000;

export function parseProcess(r: Reader, value: unknown): OciProcess {
  const raw = r.object(value, 'process');
  r.keys(raw, 'process', PROCESS_KEYS, PROCESS_REFUSED);
  const args = r.strings(raw.args, 'process.args');
  if (args.length === 0) r.fail('process.args', 'must name the program to run, got []');
  const process: OciProcess = {
    args,
    env: !isSet(raw.env) ? [] : r.strings(raw.env, 'process.env'),
    cwd: r.absolute(raw.cwd, 'process.cwd'),
    user: parseUser(r, raw.user),
    terminal: raw.terminal === undefined ? false : r.boolean(raw.terminal, 'process.terminal'),
    capabilities: parseCapabilities(r, raw.capabilities),
    rlimits: !isSet(raw.rlimits) ? [] : parseRlimits(r, raw.rlimits),
    noNewPrivileges: raw.noNewPrivileges === undefined ? false : r.boolean(raw.noNewPrivileges, 'process.noNewPrivileges'),
  };
  process.env.forEach((entry, i) => {
    if (!entry.includes('=')) r.fail(`process.env[${i}]`, `must be NAME=VALUE, got ${JSON.stringify(entry)}`);
  });
  if (isSet(raw.consoleSize)) {
    const size = r.object(raw.consoleSize, 'process.consoleSize');
    r.keys(size, 'process.consoleSize', ['height', 'width']);
    process.consoleSize = {
      height: r.integer(size.height, 'process.consoleSize.height', 0, 0xffff),
      width: r.integer(size.width, 'process.consoleSize.width', 0, 0xffff),
    };
  }
  if (raw.oomScoreAdj !== undefined)
    process.oomScoreAdj = r.integer(raw.oomScoreAdj, 'process.oomScoreAdj', OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX);
  return process;
}

function parseUser(r: Reader, value: unknown): OciUser {
  const raw = r.object(value, 'process.user');
  r.keys(raw, 'process.user', ['uid', 'gid', 'umask', 'additionalGids'], {
    username: 'user names are for Windows; give uid and gid',
  });
  const user: OciUser = {
    uid: r.integer(raw.uid, 'process.user.uid', 0, UINT32_MAX),
    gid: r.integer(raw.gid, 'process.user.gid', 0, UINT32_MAX),
    additionalGids: [],
  };
  if (isSet(raw.umask)) user.umask = r.integer(raw.umask, 'process.user.umask', 0, 0o777);
  if (isSet(raw.additionalGids))
    user.additionalGids = r
      .array(raw.additionalGids, 'process.user.additionalGids')
      .map((gid, i) => r.integer(gid, `process.user.additionalGids[${i}]`, 0, UINT32_MAX));
  return user;
}

function parseCapabilities(r: Reader, value: unknown): OciCapabilities {
  const sets: OciCapabilities = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
  if (!isSet(value)) return sets;
  const raw: Json = r.object(value, 'process.capabilities');
  r.keys(raw, 'process.capabilities', CAP_SETS);
  for (const set of CAP_SETS) {
    if (!isSet(raw[set])) continue;
    sets[set] = r.strings(raw[set], `process.capabilities.${set}`).map((name, i) => {
      const number = (capabilityNames as Record<string, number>)[name];
      if (number === undefined)
        r.fail(`process.capabilities.${set}[${i}]`, `is not a capability name (CAP_CHOWN … CAP_CHECKPOINT_RESTORE), got ${JSON.stringify(name)}`);
      return number;
    });
  }
  return sets;
}

function parseRlimits(r: Reader, value: unknown): OciRlimit[] {
  const seen = new Set<string>();
  return r.array(value, 'process.rlimits').map((item, i) => {
    const field = `process.rlimits[${i}]`;
    const raw = r.object(item, field);
    r.keys(raw, field, ['type', 'soft', 'hard']);
    const type = r.string(raw.type, `${field}.type`);
    const resource = RLIMITS[type];
    if (resource === undefined) r.fail(`${field}.type`, `is not a Linux rlimit (RLIMIT_NOFILE, RLIMIT_NPROC…), got ${JSON.stringify(type)}`);
    // config.md: a duplicate type MUST be an error
    if (seen.has(type)) r.fail(`${field}.type`, `repeats ${type}`);
    seen.add(type);
    const soft = rlimitValue(r, raw.soft, `${field}.soft`);
    const hard = rlimitValue(r, raw.hard, `${field}.hard`);
    if (soft > hard) r.fail(`${field}.soft`, `(${soft}) must not exceed hard (${hard})`);
    return { type, resource, soft, hard };
  });
}

/**
 * rlimit values are uint64. Engines write RLIM_INFINITY as 18446744073709551615, which JSON.parse reads as
 * the double 2^64 — that exact double means infinity; any other value beyond 2^53 is refused as unreadable.
 */
function rlimitValue(r: Reader, value: unknown, field: string): bigint {
  if (value === 2 ** 64) return RLIM_INFINITY;
  return BigInt(r.integer(value, field, 0));
}
