// run.ts — `ctr run [OPTIONS] [ROOTFS] [COMMAND [ARG...]]` and `ctr create`'s flags: parse docker-style flags,
// call runContainer, map the result to an exit status. All orchestration lives in ../runtime/run.ts; which
// positional is the rootfs, in ../runtime/rootfs-store.ts; this file adds only the CLI's signal forwarding
// (./signals.ts).
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { many, one, parseVerbArgs } from '../args.js';
import { rootfsStore, stopTimeoutSeconds } from '../runtime/config.js';
import { invalid } from '../runtime/errors.js';
import { splitRunPositionals } from '../runtime/rootfs-store.js';
import type { CreateOptions } from '../runtime/create.js';
import { runContainer, type RunResult } from '../runtime/run.js';
import { validateTimeoutMs } from '../runtime/validate.js';
import { forwardSignals } from './signals.js';
import { formatSize } from '@ctr/cgroups';

const help = () => `Usage: ctr run [OPTIONS] [ROOTFS] [COMMAND [ARG...]]

Run COMMAND (default /bin/bash, else /bin/sh) in new mount, PID, UTS, IPC, network and cgroup namespaces,
with ROOTFS as / . ROOTFS is a path to a directory (with a '/': rootfs/default, ./mine) or the name of a
rootfs ctr built in ${rootfsStore} (CTR_ROOTFS_DIR); when the first argument is neither, it starts
COMMAND in the rootfs "default" (ctr rootfs build).
ROOTFS is never modified: the container writes to its own layer, removed with the container.
A foreground run ends with its command and is removed; a detached one (-d) keeps running under its supervisor
(ctr-shim) and stays, stopped, until 'ctr rm' (unless --rm).

Options:
  -d, --detach             run in the background: print the name once the command runs, and return
      --rm                 remove the container when it stops (a foreground run always is)
      --restart no         restart policy (only "no")
      --name NAME          container name (default: generated)
  -h, --hostname NAME      hostname inside (default: the container name)
  -e, --env K=V            set an environment variable (repeatable; -e K copies ctr's value)
  -w, --workdir DIR        working directory inside (default /)
  -t, --tty                allocate a pseudo-terminal (default: when stdin is a terminal)
  -i, --interactive        keep stdin attached (default: when stdin is a terminal)
      --init               run a tiny init as PID 1 that forwards signals and reaps zombies
      --net MODE           bridge (default: own IP on ctr0) or none (loopback only)
      --ip ADDR            static IPv4 address in the bridge subnet
  -p, --publish SPEC       [HOSTIP:]HOSTPORT:CONTAINERPORT, TCP (repeatable)
      --cpus N             CPU limit, e.g. 0.5
  -m, --memory SIZE        memory limit, e.g. 64m (b, k, m, g; KiB, MiB, GiB)
      --memory-swap SIZE   memory + swap limit (-1: unlimited swap)
      --pids-limit N       maximum number of processes (-1: unlimited)
      --cap-add CAP        add a capability to docker's default 14 (repeatable; ALL)
      --cap-drop CAP       drop a capability (repeatable; ALL)
      --security-opt OPT   seccomp=unconfined, seccomp=PROFILE.json (docker's format), no-new-privileges=false
      --read-only          mount the root filesystem read-only (with a writable tmpfs on /tmp)
      --rootfs-rw          write straight into ROOTFS (default: writes go to a layer removed with the container)
      --privileged         no capability bounds, seccomp, masked or read-only paths or device rules
                           (says so in ps --json)
      --userns MAP         user namespace: auto, or HOSTUID[:HOSTGID]:SIZE (container root is not host root)
      --device DEV         HOSTPATH[:CONTAINERPATH][:rwm]: give the container a host device (repeatable)
  -v, --volume SPEC        HOSTPATH:CONTAINERPATH[:ro|rw]: bind a host file or directory (repeatable)
      --mount SPEC         type=bind,source=HOSTPATH,target=PATH[,readonly][,bind-propagation=P] or
                           type=tmpfs,target=PATH[,tmpfs-size=64m][,tmpfs-mode=1777] (repeatable)
      --tmpfs PATH[:OPTS]  mount a tmpfs, e.g. /run:size=64m,mode=755 (repeatable)
      --ulimit NAME=S[:H]  resource limit, e.g. nofile=1024:2048, nproc=64, core=0 (repeatable; -1 unlimited)
      --timeout SECS       wall-clock limit of a foreground run (e.g. 2 or 0.5): then SIGKILL the whole
                           container and exit 124
      --report FILE|-      once a foreground run ends, write its result as JSON to FILE (- : stdout, after the
                           container's output): exitCode, signal, timedOut, oomKilled, usage {wallMs, cpuUserMs,
                           cpuSystemMs, memoryPeakBytes, pidsPeak} (null where the kernel keeps no such figure)
      --stop-timeout SECS  grace period between a stop signal and SIGKILL, for signals sent to a foreground ctr
                           and for 'ctr stop' without -t (default ${stopTimeoutSeconds})
      --help               show this help

Exit status: the command's; 128+N if killed by signal N; 124 --timeout expired; 125 runtime error;
126 not executable; 127 not found.
`;

const options = {
  name: { type: 'string' },
  hostname: { type: 'string', short: 'h' },
  env: { type: 'string', short: 'e', multiple: true },
  workdir: { type: 'string', short: 'w' },
  tty: { type: 'boolean', short: 't' },
  interactive: { type: 'boolean', short: 'i' },
  init: { type: 'boolean' },
  net: { type: 'string' },
  network: { type: 'string' },
  ip: { type: 'string' },
  publish: { type: 'string', short: 'p', multiple: true },
  cpus: { type: 'string' },
  memory: { type: 'string', short: 'm' },
  'memory-swap': { type: 'string' },
  'pids-limit': { type: 'string' },
  'cap-add': { type: 'string', multiple: true },
  'cap-drop': { type: 'string', multiple: true },
  'security-opt': { type: 'string', multiple: true },
  'read-only': { type: 'boolean' },
  'rootfs-rw': { type: 'boolean' },
  privileged: { type: 'boolean' },
  userns: { type: 'string' },
  device: { type: 'string', multiple: true },
  volume: { type: 'string', short: 'v', multiple: true },
  mount: { type: 'string', multiple: true },
  tmpfs: { type: 'string', multiple: true },
  ulimit: { type: 'string', multiple: true },
  detach: { type: 'boolean', short: 'd' },
  rm: { type: 'boolean' },
  restart: { type: 'string' },
  timeout: { type: 'string' },
  report: { type: 'string' },
  'stop-timeout': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** `ctr run`'s flags: the create options, and what only a foreground run does with its end. */
export interface RunFlags extends CreateOptions {
  timeoutMs?: number;
  /** file for the result JSON, `-` for stdout */
  report?: string;
}

function seconds(flag: string, text: string | undefined, whole: boolean): number | undefined {
  if (text === undefined) return undefined;
  if (!(whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(text.trim())) {
    throw invalid(`invalid ${flag} "${text}": expected ${whole ? 'whole seconds, e.g. 10' : 'seconds, e.g. 2 or 0.5'}`);
  }
  return Number(text);
}

/** The report's file must be writable where it is named: checked before the container exists. */
function checkReportPath(file: string | undefined): string | undefined {
  if (file === undefined || file === '-') return file;
  const dir = path.dirname(path.resolve(file));
  let ok = false;
  try {
    ok = statSync(dir).isDirectory() && !statSync(file, { throwIfNoEntry: false })?.isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw invalid(`invalid --report "${file}": name a file in an existing directory, or - for stdout`, file);
  return file;
}

/** `ctr run`'s flags (shared with `ctr create`); undefined after --help. */
export function parseRunFlags(verb: string, argv: string[], usage: string): RunFlags | undefined {
  const { values: v, positionals } = parseVerbArgs(argv, options, true);
  if (v.help) {
    process.stdout.write(usage);
    return undefined;
  }
  const { rootfs, command } = splitRunPositionals(positionals, one(v.workdir));
  const timeout = seconds('--timeout', one(v.timeout), false);
  const report = checkReportPath(one(v.report));
  const stopTimeout = seconds('--stop-timeout', one(v['stop-timeout']), true);
  if ((timeout !== undefined || report !== undefined) && (verb !== 'run' || v.detach)) {
    throw invalid(`--timeout and --report need a foreground 'ctr run' (the ctr process enforces and reports the end)`);
  }
  return {
    ...(timeout !== undefined ? { timeoutMs: validateTimeoutMs(timeout * 1000, '--timeout') } : {}),
    ...(report !== undefined ? { report } : {}),
    ...(stopTimeout !== undefined ? { stopTimeout } : {}),
    detach: Boolean(v.detach),
    autoRemove: Boolean(v.rm),
    restart: one(v.restart),
    rootfs,
    command,
    name: one(v.name),
    hostname: one(v.hostname),
    env: many(v.env),
    workdir: one(v.workdir),
    tty: v.tty === undefined ? undefined : Boolean(v.tty),
    interactive: v.interactive === undefined ? undefined : Boolean(v.interactive),
    init: Boolean(v.init),
    net: one(v.net) ?? one(v.network),
    ip: one(v.ip),
    publish: many(v.publish),
    cpus: one(v.cpus),
    memory: one(v.memory),
    memorySwap: one(v['memory-swap']),
    pidsLimit: one(v['pids-limit']),
    capAdd: many(v['cap-add']),
    capDrop: many(v['cap-drop']),
    securityOpt: many(v['security-opt']),
    readOnly: Boolean(v['read-only']),
    rootfsRw: Boolean(v['rootfs-rw']),
    privileged: Boolean(v.privileged),
    userns: one(v.userns),
    device: many(v.device),
    volume: many(v.volume),
    mount: many(v.mount),
    tmpfs: many(v.tmpfs),
    ulimit: many(v.ulimit),
  };
}

/** The --report JSON: run()'s result (../sandbox/spawn.ts SandboxResult) without captured output. */
function reportOf(result: RunResult): string {
  const report = {
    name: result.name,
    id: result.id,
    exitCode: result.exitCode,
    signal: result.signal ?? null,
    timedOut: result.timedOut ?? false,
    oomKilled: result.oomKilled,
    outputTruncated: false,
    usage: result.usage ?? null,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const flags = parseRunFlags('run', argv, help());
  if (!flags) return 0;
  const { report, ...options } = flags;
  const signals = flags.detach ? undefined : forwardSignals(flags.stopTimeout);
  const result = await runContainer({
    ...options,
    ...(signals ? { onStart: (_state, control) => signals.target(control) } : {}),
  }).finally(() => signals?.dispose());
  if (result.detached) {
    process.stdout.write(`${result.name}\n`);
    return 0;
  }
  if (result.oomKilled) {
    const limit = result.memoryLimit === undefined ? '' : `: limit ${formatSize(result.memoryLimit)}`;
    process.stderr.write(`ctr: out of memory${limit}\n`);
  }
  if (report === '-') process.stdout.write(reportOf(result));
  else if (report !== undefined) writeFileSync(report, reportOf(result));
  // timeout(1)'s status: the command did not end by itself within the limit
  if (result.timedOut) {
    process.stderr.write(`ctr: timed out after ${(flags.timeoutMs ?? 0) / 1000} s: container killed\n`);
    return 124;
  }
  return result.exitCode;
}
