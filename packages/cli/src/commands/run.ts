// run.ts — `ctr run [OPTIONS] [ROOTFS] [COMMAND [ARG...]]` and `ctr create`'s flags: parse docker-style flags,
// call runContainer, map the result to an exit status. All orchestration lives in ../runtime/run.ts; which
// positional is the rootfs, in ../runtime/rootfs-store.ts; this file adds only the CLI's signal forwarding
// (./signals.ts).
import { many, one, parseVerbArgs } from '../args.js';
import { rootfsStore } from '../runtime/config.js';
import { splitRunPositionals } from '../runtime/rootfs-store.js';
import type { CreateOptions } from '../runtime/create.js';
import { runContainer } from '../runtime/run.js';
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
      --help               show this help

Exit status: the command's; 128+N if killed by signal N; 125 runtime error; 126 not executable; 127 not found.
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
  help: { type: 'boolean' },
} as const;

/** `ctr run`'s flags as CreateOptions (shared with `ctr create`); undefined after --help. */
export function parseRunFlags(verb: string, argv: string[], usage: string): CreateOptions | undefined {
  const { values: v, positionals } = parseVerbArgs(argv, options, true);
  if (v.help) {
    process.stdout.write(usage);
    return undefined;
  }
  const { rootfs, command } = splitRunPositionals(positionals, one(v.workdir));
  return {
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

export async function main(argv: string[]): Promise<number> {
  const flags = parseRunFlags('run', argv, help());
  if (!flags) return 0;
  const signals = flags.detach ? undefined : forwardSignals();
  const result = await runContainer({
    ...flags,
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
  return result.exitCode;
}
