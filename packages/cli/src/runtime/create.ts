// create.ts — the create phase: validate → reserve the name → writable layer → cgroup → clone the container
// under its ctr-shim (it joins its cgroup itself, then waits) → network → state "created". What it returns
// lets the caller start the command, wait for its end, and remove it. No process-wide handler is installed here, so one Node process
// can create many containers; the CLI forwards its own signals (../commands/signals.ts).
// Each resource pushes its release onto a Cleanup stack the moment it exists, so a failure before the start
// releases exactly what was made. After the start, what the container holds is described by its state file,
// and `removeContainer` (delete.ts) or the stale sweep releases it from there, in this or any ctr process.
// See: clone(2), pivot_root(2), cgroups(7), veth(4), init/ctr-shim.c.
import { existsSync, openSync, closeSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { processStartTime } from '@ctr/netns';
import { isTerminal, pidfdOpen, pipe, spawnContainer, type Container } from '@ctr/ns-native';
import { Cleanup } from './cleanup.js';
import { CtrError, asCtrError, invalid } from './errors.js';
import { cgroupPathOf, prepareLimits, type LimitOptions } from './limits.js';
import { prepareMounts, type MountFlags } from './mounts.js';
import { prepareSecurity, type SecurityFlags } from './security.js';
import { createLayer, layerDirOf, removeLayer } from './layer.js';
import { removeTree } from './remove-tree.js';
import { connectBridge, validateRequestedIp } from './network.js';
import { generateName, newId } from './names.js';
import type { Publisher } from './publish.js';
import {
  containerDir, containersDir, readExit, removeState, reserveName, updateState, type ContainerState, type ExitRecord,
} from './state.js';
import { stopPoint } from './stop-points.js';
import { sweepStale } from './sweep.js';
import {
  parsePublish, validateEnv, validateHostname, validateName, validateNetMode, validateRootfs, validateWorkdir,
} from './validate.js';

export interface CreateOptions extends LimitOptions, SecurityFlags, MountFlags {
  /** root filesystem directory on the host */
  rootfs: string;
  /** command and arguments; default `/bin/bash` when the rootfs has it, else `/bin/sh` */
  command?: string[];
  name?: string;
  /** default: the container name */
  hostname?: string;
  /** `K=V` (or `K` to copy ctr's value) */
  env?: string[];
  /** default `/` */
  workdir?: string;
  /** allocate a pseudo-terminal (default: when ctr's stdin is a terminal and not detached) */
  tty?: boolean;
  /** keep stdin connected (default: when ctr's stdin is a terminal and not detached) */
  interactive?: boolean;
  /** run a tiny init as PID 1 that reaps zombies and forwards signals */
  init?: boolean;
  /** `bridge` (default): own IP on ctr0; `none`: only loopback */
  net?: string;
  /** static address inside the bridge subnet */
  ip?: string;
  /** `[HOSTIP:]HOSTPORT:CONTAINERPORT` (foreground only: the proxy lives in the ctr process) */
  publish?: string[];
  /**
   * Write straight into `rootfs` (the behaviour before writable layers): what the container writes stays in
   * the tree, for every later container and every host user who can reach it. Default false: writes go to a
   * per-container layer that is removed with the container.
   */
  rootfsRw?: boolean;
  /** stdio fds for the foreground non-tty case (default: ctr's own 0, 1, 2; stdin /dev/null unless interactive) */
  stdio?: [number, number, number];
  /**
   * The container outlives this process: its ctr-shim holds its output (container.log, attach.sock). Without
   * it, the container writes to this process's stdio (or its pty master is returned by `start()`) and is
   * killed by its shim if this process dies.
   */
  detach?: boolean;
  /** remove the container when it stops (always so for a foreground run) */
  autoRemove?: boolean;
  /** `no` (the only policy so far: a stopped container stays stopped) */
  restart?: string;
  /** size at which container.log rotates (default 10 MiB) */
  logMaxBytes?: number;
  /** seconds `ctr stop` (without -t) waits after its signal before SIGKILL; recorded in the state (default 10) */
  stopTimeout?: number;
  /**
   * `ctr create`: detached, and the container's shim (not this process) holds its start, so it waits for a
   * `ctr start` from any process (control.ts `startContainer`); `start()` of the result then throws.
   */
  startBySupervisor?: boolean;
}

/** A created container: the command waits for `start()`. */
export interface CreatedContainer {
  readonly state: ContainerState;
  /**
   * lets the command run; resolves once it runs, with the pty master of a foreground terminal. Rejects with
   * docker's 126/127. The event loop stays free while the container sets up (other containers go on).
   */
  start(): Promise<{ ptyMaster?: number }>;
  /** sends a signal to the container's PID 1; false once it is gone */
  kill(signal: NodeJS.Signals | number): boolean;
  /** resolves once the shim recorded the exit (undefined: the shim was killed before it could) */
  wait(): Promise<ExitRecord | undefined>;
  /** releases what the create phase made when the container cannot be started; returns what failed */
  abort(): Promise<Error[]>;
}

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Absolute paths inside the container to try for `cmd`, following PATH like execvp(3). */
export function execCandidates(cmd: string, envPath: string, workdir: string): string[] {
  if (cmd.includes('/')) return [path.posix.resolve(workdir, cmd)];
  return envPath
    .split(':')
    .filter((dir) => dir.startsWith('/'))
    .map((dir) => path.posix.join(dir, cmd));
}

function defaultCommand(rootfs: string): string[] {
  return existsSync(path.join(rootfs, 'bin/bash')) ? ['/bin/bash'] : ['/bin/sh'];
}

export function buildEnv(user: string[], hostname: string, tty: boolean): string[] {
  const env = new Map<string, string>([
    ['PATH', defaultPath],
    ['HOSTNAME', hostname],
    ['HOME', '/root'],
  ]);
  if (tty) env.set('TERM', process.env.TERM && process.env.TERM !== 'dumb' ? process.env.TERM : 'xterm');
  for (const kv of user) {
    const eq = kv.indexOf('=');
    env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** Maps a failed setup step in the child to docker's statuses: 127 not found, 126 not executable. */
export function spawnFailure(err: unknown, command: string, layer?: string): CtrError {
  const e = err as NodeJS.ErrnoException & { stage?: string };
  if (layer && e.stage === 'rootfs' && e.syscall === 'mount') {
    // EINVAL here is overlayfs refusing the upper filesystem (an overlay itself, no xattrs, no O_TMPFILE…).
    return new CtrError(
      `overlayfs refused the writable layer in ${path.dirname(layer)} (${e.code}); set CTR_DATA_DIR to a directory on ext4, xfs, btrfs or tmpfs, or use --rootfs-rw`,
      { code: e.code ?? 'ERR_CTR_LAYER', ...(e.errno !== undefined ? { errno: e.errno } : {}), syscall: 'mount', path: layer, cause: err },
    );
  }
  if (e.syscall === 'execve') {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') {
      return new CtrError(`exec "${command}": executable file not found in the container`, {
        code: 'ERR_CTR_NOT_FOUND', exitCode: 127, errno: e.errno, syscall: 'execve', cause: err,
      });
    }
    return new CtrError(`exec "${command}": ${e.code === 'ENOEXEC' ? 'not an executable format' : 'permission denied'}`, {
      code: 'ERR_CTR_NOT_EXECUTABLE', exitCode: 126, errno: e.errno, syscall: 'execve', cause: err,
    });
  }
  // A setup error of the clone child already reads "container setup failed at <syscall>: <reason> '<path>'".
  return asCtrError(err, e.stage === undefined ? 'container setup failed' : undefined);
}

let selfPidfd: number | undefined;

/** This process's pidfd, given to the shims of foreground containers: they die with this process. */
function ownPidfd(): number {
  selfPidfd ??= pidfdOpen(process.pid);
  return selfPidfd;
}

/** Creates one container; rejects with a CtrError and nothing left behind. */
export async function createContainer(opts: CreateOptions): Promise<CreatedContainer> {
  // validate: no syscall that creates anything happens before every check passed
  if (process.getuid?.() !== 0) {
    throw new CtrError('ctr needs root: namespaces, mounts, veths and cgroups need CAP_SYS_ADMIN and CAP_NET_ADMIN; run it with sudo', {
      code: 'EPERM',
    });
  }
  const rootfs = validateRootfs(opts.rootfs);
  const name = opts.name === undefined ? undefined : validateName(opts.name);
  const hostname = opts.hostname === undefined ? undefined : validateHostname(opts.hostname);
  const netMode = validateNetMode(opts.net ?? 'bridge');
  const publish = (opts.publish ?? []).map(parsePublish);
  if (netMode === 'none' && (publish.length > 0 || opts.ip)) {
    throw invalid(`--publish and --ip need --net bridge (got --net none)`);
  }
  const requestedIp = opts.ip === undefined ? undefined : validateRequestedIp(opts.ip);
  const rootfsRw = opts.rootfsRw ?? false;
  if (rootfsRw && opts.readOnly) throw invalid('--rootfs-rw and --read-only contradict each other; use one of them');
  const detach = opts.detach === true || opts.startBySupervisor === true;
  if (detach && publish.length > 0) {
    throw invalid('--publish needs a foreground run (its proxy lives in the ctr process); use the container IP, or run without -d');
  }
  if (opts.stopTimeout !== undefined && !(Number.isSafeInteger(opts.stopTimeout) && opts.stopTimeout >= 0)) {
    throw invalid(`invalid --stop-timeout "${opts.stopTimeout}": expected whole seconds, e.g. 10`);
  }
  if (opts.restart !== undefined && opts.restart !== 'no') {
    throw invalid(`invalid --restart "${opts.restart}": only "no" is supported`);
  }
  const userEnv = validateEnv(opts.env ?? []);
  const workdir = validateWorkdir(opts.workdir ?? '/');
  const limits = prepareLimits(opts);
  const security = prepareSecurity(opts);
  const mounts = prepareMounts(opts, { userns: security.options.userns !== undefined });
  const stdinIsTty = !detach && isTerminal(0);
  const tty = opts.tty ?? (opts.interactive === undefined && stdinIsTty);
  const interactive = opts.interactive ?? (opts.tty === undefined && stdinIsTty);
  const command = opts.command && opts.command.length > 0 ? opts.command : defaultCommand(rootfs);

  stopPoint('create:validated');
  await sweepStale();
  stopPoint('create:swept');
  const cleanup = new Cleanup();
  const id = newId();
  const freshName = (): string => generateName((n) => existsSync(path.join(containersDir(), `${n}.json`)));
  const defaultHostname = (n: string): string => hostname ?? validateHostname(n.replace(/_/g, '-'));
  const containerName = name ?? freshName();
  const now = new Date().toISOString();
  const state: ContainerState = {
    name: containerName,
    id,
    pid: 0,
    ctrPid: process.pid,
    ctrPidStart: processStartTime(process.pid) ?? 0,
    runtimeExe: readlinkSync('/proc/self/exe'),
    status: 'created',
    // Until the last write: a `ctr create` killed before it must not leave its shim holding a half-made container.
    creating: true,
    ...(opts.startBySupervisor ? { startBySupervisor: true } : {}),
    autoRemove: !detach || opts.autoRemove === true,
    detached: detach,
    tty,
    hostname: defaultHostname(containerName),
    rootfs,
    rootfsMode: rootfsRw ? 'rw' : 'overlay',
    // Recorded before the directory exists, so a SIGKILL right after creating it still leaves it findable.
    ...(rootfsRw ? {} : { layer: layerDirOf(id) }),
    command,
    created: now,
    started: now,
    network: netMode,
    ...(limits.summary ? { limits: limits.summary } : {}),
    ...mounts.summary,
    security: security.summary,
    securityFlags: {
      capAdd: opts.capAdd, capDrop: opts.capDrop, securityOpt: opts.securityOpt, readOnly: opts.readOnly,
      privileged: opts.privileged, userns: opts.userns, device: opts.device,
    },
    env: userEnv,
    workdir,
    ...(opts.stopTimeout !== undefined ? { stopTimeout: opts.stopTimeout } : {}),
    // Recorded before the group exists, so a ctr killed right after making it leaves a group the sweep finds.
    cgroup: cgroupPathOf(id),
    cgroupOwner: readFileSync('/proc/self/cgroup', 'utf8'),
  };

  let publisher: Publisher | undefined;
  let child: Container | undefined;
  try {
    // A generated name lost to a sibling run is replaced (and the hostname derived from it with it).
    const rename = (): void => {
      state.name = freshName();
      state.hostname = defaultHostname(state.name);
    };
    reserveName(state, name === undefined ? rename : undefined);
    cleanup.push('state file', () => removeState(state.name));
    stopPoint('create:name-reserved');
    const dir = containerDir(state.name);
    // We hold the name now: a directory of that name is debris of a container removed halfway (kill -9).
    removeTree(dir, []);
    mkdirSync(dir, { mode: 0o700 });
    stopPoint('create:state-dir');
    const env = buildEnv(userEnv, state.hostname, tty);
    const envPath = env.find((kv) => kv.startsWith('PATH='))!.slice(5);
    const layer = state.layer;
    if (layer) {
      cleanup.push('writable layer', () => removeLayer(layer));
      createLayer(layer, rootfs, security.options.userns);
      stopPoint('create:layer');
    }
    if (publish.length > 0) {
      // node:net is loaded only when ports are published: it is a large part of Node's start-up otherwise.
      const { openPublisher } = await import('./publish.js');
      publisher = await openPublisher(publish);
      cleanup.push('published ports', () => publisher!.close());
    }
    const cgroup = limits.create(id, security.devices.rules);
    cleanup.push('cgroup', () => cgroup.destroy());
    stopPoint('create:cgroup');

    // Host fds opened only for the spawn: the container (through the launcher) and the shim keep copies.
    const transient: number[] = [];
    const join = cgroup.openJoin();
    try {
      let stdio: [number, number, number] | undefined;
      let output: { stdout: number; stderr: number } | undefined;
      if (!tty && (detach || (!interactive && !opts.stdio))) {
        const devnull = openSync('/dev/null', 'r');
        transient.push(devnull);
        stdio = [devnull, 1, 2];
      }
      if (!tty && detach) {
        const [outR, outW] = pipe();
        const [errR, errW] = pipe();
        transient.push(outR, outW, errR, errW);
        stdio = [stdio![0], outW, errW];
        output = { stdout: outR, stderr: errR };
      }
      const size = tty ? (process.stdout.isTTY && process.stdout.rows ? { rows: process.stdout.rows, cols: process.stdout.columns } : { rows: 24, cols: 80 }) : undefined;
      child = spawnContainer({
        rootfs,
        hostname: state.hostname,
        argv: command,
        execCandidates: execCandidates(command[0]!, envPath, workdir),
        env,
        cwd: workdir,
        stdio: tty ? { kind: 'pty', ...size! } : { kind: 'fds', fds: opts.stdio ?? stdio ?? [0, 1, 2] },
        init: opts.init ?? false,
        security: security.options,
        devices: security.devices.nodes,
        mounts: mounts.mounts,
        rlimits: mounts.rlimits,
        ...(layer ? { layer } : {}),
        cgroup: join,
        supervisor: {
          dir,
          ...(output ?? {}),
          ...(detach ? { terminal: tty } : { tiedTo: ownPidfd() }),
          ...(opts.logMaxBytes !== undefined ? { logMaxBytes: opts.logMaxBytes } : {}),
          ...(opts.startBySupervisor ? { holdsStart: true } : {}),
        },
      });
    } finally {
      for (const fd of transient) closeSync(fd);
      join.close();
    }
    const spawned = child;
    cleanup.push('container process', () => spawned.abort());
    state.pid = spawned.pid;
    state.shimPid = spawned.supervisorPid;
    state.shimPidStart = processStartTime(spawned.supervisorPid!) ?? 0;
    updateState(state); // the shim is findable from here on, should ctr die before the end
    stopPoint('create:spawned');

    if (netMode === 'bridge') {
      // The lease is held by the shim: it stays while the container can run, and is reclaimable once not.
      const link = connectBridge({ owner: id, holderPid: state.shimPid!, containerPid: spawned.pid, requestedIp, id });
      cleanup.push('network', () => link.release());
      state.ip = link.ip;
      state.hostIfname = link.hostIfname;
      publisher?.target(link.ip);
      state.publish = opts.publish;
    }
    delete state.creating;
    updateState(state);
    stopPoint('create:recorded');
  } catch (err) {
    const error = err instanceof CtrError ? err : asCtrError(err, 'create failed');
    error.cleanupErrors.push(...(await cleanup.run()));
    throw error;
  }

  const handle = child;
  let exited: Promise<ExitRecord | undefined> | undefined;
  return {
    state,
    async start() {
      let started;
      try {
        started = await handle.startAsync();
        stopPoint('start:started');
      } catch (err) {
        throw spawnFailure(err, command[0]!, state.layer);
      }
      state.status = 'running';
      state.started = new Date().toISOString();
      updateState(state);
      stopPoint('start:running');
      return started;
    },
    kill: (signal) => handle.kill(signal),
    wait() {
      // The shim is this process's child: its end (reaped through its pidfd) comes after exit.json.
      exited ??= handle.wait().then(async () => {
        await publisher?.close();
        return readExit(state.name);
      });
      return exited;
    },
    abort: () => cleanup.run(),
  };
}
