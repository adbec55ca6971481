// run.ts — the orchestration behind `ctr run`, usable from any Node program:
// validate → reserve name → writable layer → cgroup → clone (child waits) → join cgroup → network → start →
// wait → clean up.
// Each resource pushes its release onto a Cleanup stack the moment it exists, so every exit path (error,
// signal, normal exit) releases exactly what was made. See: clone(2), pivot_root(2), cgroups(7), veth(4).
import { existsSync, openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processStartTime } from '@ctr/netns';
import { spawnContainer, type Container, type ExitStatus } from '@ctr/ns-native';
import { Cleanup } from './cleanup.js';
import { stopTimeoutSeconds } from './config.js';
import { CtrError, asCtrError, invalid } from './errors.js';
import { prepareLimits, type LimitOptions } from './limits.js';
import { prepareSecurity, type SecurityFlags } from './security.js';
import { createLayer, layerDirOf, removeLayer } from './layer.js';
import { connectBridge, validateRequestedIp } from './network.js';
import { generateName, newId } from './names.js';
import type { Publisher } from './publish.js';
import { containersDir, removeState, reserveName, updateState, type ContainerState } from './state.js';
import { sweepStale } from './sweep.js';
import type { PtySession } from './terminal.js';
import {
  parsePublish, validateEnv, validateHostname, validateName, validateNetMode, validateRootfs, validateWorkdir,
} from './validate.js';

export interface RunOptions extends LimitOptions, SecurityFlags {
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
  /** allocate a pseudo-terminal (default: when ctr's stdin is a terminal) */
  tty?: boolean;
  /** keep stdin connected (default: when ctr's stdin is a terminal) */
  interactive?: boolean;
  /** run a tiny init as PID 1 that reaps zombies and forwards signals */
  init?: boolean;
  /** `bridge` (default): own IP on ctr0; `none`: only loopback */
  net?: string;
  /** static address inside the bridge subnet */
  ip?: string;
  /** `[HOSTIP:]HOSTPORT:CONTAINERPORT` */
  publish?: string[];
  /**
   * Write straight into `rootfs` (the behaviour before writable layers): what the container writes stays in
   * the tree, for every later container and every host user who can reach it. Default false: writes go to a
   * per-container layer that is removed with the container.
   */
  rootfsRw?: boolean;
  /** stdio fds for the non-tty case (default: ctr's own 0, 1, 2; stdin is /dev/null unless interactive) */
  stdio?: [number, number, number];
  /** called once the command runs, with what `ctr ps` would show */
  onStart?: (state: ContainerState) => void;
}

export interface RunResult {
  name: string;
  id: string;
  ip?: string;
  /** the command's exit status; 128+N when killed by signal N (docker's convention) */
  exitCode: number;
  signal?: string;
  /** the kernel's OOM killer ended the container (memory limit reached) */
  oomKilled: boolean;
  /** memory limit in bytes when one was set */
  memoryLimit?: number;
}

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const stopSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

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

function buildEnv(user: string[], hostname: string, tty: boolean): string[] {
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
function spawnFailure(err: unknown, command: string, layer: string | undefined): CtrError {
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
  return asCtrError(err, 'container setup failed');
}

function statusOf(exit: ExitStatus): { exitCode: number; signal?: string } {
  if (exit.signal !== null) {
    const number = typeof exit.signal === 'number' ? exit.signal : os.constants.signals[exit.signal];
    return { exitCode: 128 + number, signal: String(exit.signal) };
  }
  // Both null means the status could not be collected: report a runtime failure rather than success.
  return { exitCode: exit.exitCode ?? 125 };
}

/** Runs one container to completion. Resolves with its status; rejects with a CtrError (nothing left behind). */
export async function runContainer(opts: RunOptions): Promise<RunResult> {
  // validate: no syscall that creates anything happens before every check passed
  if (process.getuid?.() !== 0) {
    throw new CtrError('ctr run needs root: namespaces, mounts, veths and cgroups need CAP_SYS_ADMIN and CAP_NET_ADMIN; run it with sudo', {
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
  const userEnv = validateEnv(opts.env ?? []);
  const workdir = validateWorkdir(opts.workdir ?? '/');
  const limits = prepareLimits(opts);
  const security = prepareSecurity(opts);
  const stdinIsTty = process.stdin.isTTY === true;
  const tty = opts.tty ?? (opts.interactive === undefined && stdinIsTty);
  const interactive = opts.interactive ?? (opts.tty === undefined && stdinIsTty);
  const command = opts.command && opts.command.length > 0 ? opts.command : defaultCommand(rootfs);

  await sweepStale();
  // node:tty is loaded only for a terminal session, for the same start-up reason as node:net below.
  const terminal = tty ? await import('./terminal.js') : undefined;
  const cleanup = new Cleanup();
  const id = newId();
  const freshName = (): string => generateName((n) => existsSync(path.join(containersDir(), `${n}.json`)));
  const defaultHostname = (n: string): string => hostname ?? validateHostname(n.replace(/_/g, '-'));
  const containerName = name ?? freshName();
  const state: ContainerState = {
    name: containerName,
    id,
    pid: 0,
    ctrPid: process.pid,
    ctrPidStart: processStartTime(process.pid) ?? 0,
    hostname: defaultHostname(containerName),
    rootfs,
    rootfsMode: rootfsRw ? 'rw' : 'overlay',
    // Recorded before the directory exists, so a SIGKILL right after creating it still leaves it findable.
    ...(rootfsRw ? {} : { layer: layerDirOf(id) }),
    command,
    started: new Date().toISOString(),
    network: netMode,
    ...(limits.summary ? { limits: limits.summary } : {}),
    security: security.summary,
  };
  let publisher: Publisher | undefined;
  let pty: PtySession | undefined;
  // Signals sent to ctr go to the container's PID 1. PID 1 ignores signals it has no handler for, so a stop
  // signal is followed by SIGKILL after a grace period, as `docker stop` does. Handlers are installed before
  // anything is created: a signal that arrives during setup is held and delivered once the command runs,
  // instead of killing ctr halfway and leaking what it made.
  const pendingSignals: NodeJS.Signals[] = [];
  let stopTimer: NodeJS.Timeout | undefined;
  let running: Container | undefined;
  const deliver = (sig: NodeJS.Signals): void => {
    if (!running) {
      pendingSignals.push(sig);
      return;
    }
    running.kill(sig);
    if (sig !== 'SIGUSR1' && sig !== 'SIGUSR2' && !stopTimer) {
      const target = running;
      stopTimer = setTimeout(() => target.kill('SIGKILL'), stopTimeoutSeconds * 1000);
      stopTimer.unref();
    }
  };
  const signalHandlers = stopSignals.map((sig) => [sig, () => deliver(sig)] as const);
  for (const [sig, handler] of signalHandlers) process.on(sig, handler);
  try {
    // A generated name lost to a sibling run is replaced (and the hostname derived from it with it).
    const rename = (): void => {
      state.name = freshName();
      state.hostname = defaultHostname(state.name);
    };
    reserveName(state, name === undefined ? rename : undefined);
    cleanup.push('state file', () => removeState(state.name));
    const env = buildEnv(userEnv, state.hostname, tty);
    const envPath = env.find((kv) => kv.startsWith('PATH='))!.slice(5);
    const layer = state.layer;
    if (layer) {
      cleanup.push('writable layer', () => removeLayer(layer));
      createLayer(layer, rootfs, security.options.userns);
    }
    if (publish.length > 0) {
      // node:net is loaded only when ports are published: it is a large part of Node's start-up otherwise.
      const { openPublisher } = await import('./publish.js');
      publisher = await openPublisher(publish);
      cleanup.push('published ports', () => publisher!.close());
    }
    const cgroup = limits.create(id, security.devices.rules);
    cleanup.push('cgroup', () => cgroup.destroy());
    state.cgroup = cgroup.path;
    state.cgroupOwner = cgroup.ownerCgroups;

    let devnull: number | undefined;
    if (!tty && !interactive && !opts.stdio) {
      devnull = openSync('/dev/null', 'r');
    }
    let child: Container;
    try {
      child = spawnContainer({
        rootfs,
        hostname: state.hostname,
        argv: command,
        execCandidates: execCandidates(command[0]!, envPath, workdir),
        env,
        cwd: workdir,
        stdio: tty
          ? { kind: 'pty', ...terminal!.terminalSize() }
          : { kind: 'fds', fds: opts.stdio ?? [devnull ?? 0, 1, 2] },
        init: opts.init ?? false,
        security: security.options,
        devices: security.devices.nodes,
        ...(layer ? { layer } : {}),
      });
    } finally {
      if (devnull !== undefined) closeSync(devnull);
    }
    cleanup.push('container process', () => child.abort());
    state.pid = child.pid;

    cgroup.addProcess(child.pid);
    if (netMode === 'bridge') {
      const link = connectBridge({ owner: state.name, containerPid: child.pid, requestedIp, id });
      cleanup.push('network', () => link.release());
      state.ip = link.ip;
      state.hostIfname = link.hostIfname;
      publisher?.target(link.ip);
      state.publish = opts.publish;
    }
    updateState(state);

    const exited = new Promise<ExitStatus>((resolve) => child.onExit(resolve));
    let started;
    try {
      started = child.start();
    } catch (err) {
      throw spawnFailure(err, command[0]!, layer);
    }
    if (started.ptyMaster !== undefined) {
      pty = terminal!.attachPty(started.ptyMaster, interactive);
      const session = pty;
      cleanup.push('terminal', () => session.restore());
    }
    running = child;
    opts.onStart?.(state);

    for (const sig of pendingSignals.splice(0)) deliver(sig);

    const exit = await exited;
    if (stopTimer) clearTimeout(stopTimer);
    if (pty) await pty.closed;
    const status = statusOf(exit);
    const oomKilled = status.signal === 'SIGKILL' && cgroup.oomKills() > 0;
    return {
      name: state.name,
      id,
      ...(state.ip ? { ip: state.ip } : {}),
      ...status,
      oomKilled,
      ...(limits.memory !== undefined ? { memoryLimit: limits.memory } : {}),
    };
  } catch (err) {
    const error = err instanceof CtrError ? err : asCtrError(err, 'run failed');
    error.cleanupErrors.push(...(await cleanup.run()));
    throw error;
  } finally {
    for (const [sig, handler] of signalHandlers) process.off(sig, handler);
    const errors = await cleanup.run();
    if (errors.length > 0) {
      throw new CtrError(errors.map((e) => e.message).join('; '), { code: 'ERR_CTR_CLEANUP', cleanupErrors: errors });
    }
  }
}
