// spawn.ts — the container spawn primitive, typed and validated. The native side (src/spawn.cc, src/child.cc)
// clones the child into new mnt/pid/uts/ipc/net (+cgroup) namespaces and holds it on a sync pipe; `start()`
// lets it build its root (pivot_root, /proc, /sys, /dev), set up stdio and exec ctr-init from a sealed memfd,
// which execs the command (or, with `init`, runs it as PID 1).
// See: clone(2), namespaces(7), pid_namespaces(7), pivot_root(2), pidfd_send_signal(2), waitid(2).
import { existsSync } from 'node:fs';
import { getSystemErrorMap, getSystemErrorName } from 'node:util';
import { constants } from 'node:os';
import { checkDevices, type DeviceNode } from './devices.js';
import { checkMounts, type Mount } from './mounts.js';
import { checkRlimits, type Rlimit } from './rlimits.js';
import { checkProcess, CLONE_NEW, type NamespaceJoin, type ProcessUser } from './process.js';
import { native, staticHelperPath, type NativeContainer, type NativeExitStatus } from './native.js';
import { checkSecurity, type SecurityOptions } from './security.js';
import { checkInteger, checkString, checkStrings, invalid } from './validate.js';

/** How the container's fds 0–2 are provided. */
export type StdioSpec =
  /** A pty allocated from the container's own devpts; `start()` returns its master. */
  | { kind: 'pty'; rows: number; cols: number }
  /** Host fds dup'ed onto 0, 1, 2 (O_NONBLOCK is cleared on them, which affects the shared file). */
  | { kind: 'fds'; fds: [number, number, number] };

export interface SpawnContainerOptions {
  /** Absolute host path of the root directory. */
  rootfs: string;
  /** At most 64 bytes (HOST_NAME_MAX). */
  hostname: string;
  /** argv as the process sees it; argv[0] is also the name in "not found" errors. */
  argv: string[];
  /** Absolute paths inside the container, tried in order (the caller resolved PATH). */
  execCandidates: string[];
  /** `NAME=value` entries, the complete environment. */
  env: string[];
  /** Absolute path inside the container. */
  cwd: string;
  stdio: StdioSpec;
  /**
   * Keep ctr-init as PID 1 (signal forwarding, zombie reaping) with the command as its child. Default false:
   * ctr-init, always the first program, then only execs the command.
   */
  init?: boolean;
  /** Capabilities, no_new_privs, seccomp, masked/read-only paths, user namespace. Absent: none of them. */
  security?: SecurityOptions;
  /** Extra device nodes in /dev (one for a path of the defaults, e.g. /dev/null, replaces it). */
  devices?: DeviceNode[];
  /**
   * Extra mounts in the OCI runtime-spec shape, applied in order on top of the rootfs, /proc, /sys and /dev,
   * before pivot_root (see lib/mounts.ts for the options and types understood). Bind sources are resolved on
   * the host now; targets inside the rootfs without following any symlink, created when missing. With
   * `security.userns` every bind is idmapped to the container's user namespace (refused where the source's
   * filesystem cannot be idmapped).
   */
  mounts?: Mount[];
  /**
   * Resource limits of the first process (runtime-spec `process.rlimits`), set with prlimit just before the
   * exec. Lowering always works; raising a hard limit above this process's needs CAP_SYS_RESOURCE (never
   * with `security.userns`) and is refused by spawnContainer otherwise.
   */
  rlimits?: Rlimit[];
  /** umask of the first process (runtime-spec `process.user.umask`); default: this process's */
  umask?: number;
  /**
   * Numeric ids of the first process (runtime-spec `process.user`): supplementary groups and gid are set
   * before the capability drop, the uid after it (a non-zero uid then keeps only the ambient set of
   * `security.capabilities`, none with the array form).
   * Default: root of the container with no supplementary groups.
   */
  user?: ProcessUser;
  /**
   * Sysctls written under the container's own /proc/sys right after pivot_root (runtime-spec
   * `linux.sysctl`): only namespaced ones (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*,
   * kernel.hostname, kernel.domainname), and none of a namespace joined by path.
   */
  sysctl?: Record<string, string>;
  /**
   * Namespaces joined by path instead of created (runtime-spec `linux.namespaces[].path`): network, ipc, uts,
   * cgroup, and pid with `supervisor` (the launcher joins it so the container it clones is inside). The files
   * are opened and type-checked here; the child setns()es into each before its mounts. Not with
   * `security.userns`; 'mount' and 'user' are refused. With a joined uts namespace, `hostname` must be ''.
   */
  joinNamespaces?: NamespaceJoin[];
  /**
   * Absolute host path of an existing directory holding empty `upper` and `work` directories (on one
   * filesystem with xattr support, e.g. ext4; in a user namespace owned by the mapped root). `rootfs` then
   * becomes the read-only lower layer of an overlay the container writes into; `upper` receives its writes and
   * its own mode and owner are what `/` shows. Absent: the container writes into `rootfs` itself.
   */
  layer?: string;
  /**
   * Make ctr-shim (init/ctr-shim.c) the container's parent instead of this process: it reaps the container,
   * writes `dir/exit.json`, and (with `stdout`/`stderr` or `terminal`) logs to `dir/container.log` and serves
   * attach on `dir/attach.sock`. The container then outlives this process unless `tiedTo` is given.
   * `onExit` then reports the shim's end; the container's status is in `dir/exit.json`.
   */
  supervisor?: SupervisorSpec;
  /**
   * The cgroup the container joins as it is created (@ctr/cgroups `openJoin()`): it writes "0" to each v1
   * `tasks` fd first thing, and is cloned into the v2 directory `cgroupFd` (CLONE_INTO_CGROUP). Cheaper than
   * moving it by PID afterwards; the fds stay the caller's to close.
   */
  cgroup?: { taskFds: readonly number[]; cgroupFd?: number };
  /**
   * runc's create/start split, for an OCI runtime: absolute host path where spawn makes a FIFO (mode 0622; the
   * path must not exist; the caller removes it).
   * `start()` then returns once the command has been found, and the container's first process blocks opening
   * the FIFO for writing until someone opens it for reading (`ctrun start`), writes one byte and execs. The
   * container also outlives this process (no parent-death signal once set up): the engine's subreaper adopts it.
   */
  execFifo?: string;
  /** fds 3 .. 3+preserveFds-1 of this process become the command's (runc's --preserve-fds). */
  preserveFds?: number;
}

export interface SupervisorSpec {
  /** existing directory for exit.json, container.log and attach.sock */
  dir: string;
  /** read ends of the pipes given to the container as fds 1 and 2 (the shim logs them) */
  stdout?: number;
  stderr?: number;
  /** with a pty: the shim, not `start()`, receives the master */
  terminal?: boolean;
  /** a pidfd (e.g. of this process): when that process dies, the shim kills the container */
  tiedTo?: number;
  /** size at which container.log is rotated to container.log.1 */
  logMaxBytes?: number;
  /**
   * The shim, not `start()`, lets the container run: a client of `dir/attach.sock` sends an 's' frame and gets
   * back 'S' with the setup failure record, if any (`setupFailure` reads it). This handle cannot start it.
   */
  holdsStart?: boolean;
}

/**
 * How the container's first process ended: `exitCode` when it exited, `signal` (a name such as 'SIGKILL',
 * or the number for signals without one, e.g. real-time signals) when a signal killed it; the other is null.
 * Both are null only if the status could not be collected.
 */
export interface ExitStatus {
  exitCode: number | null;
  signal: NodeJS.Signals | number | null;
}

/** Steps of the child's setup, in the order of src/setup_failure.h; `stage` of a ContainerSetupError. */
const stages = [
  'pdeathsig', 'sync', 'userns', 'credentials', 'cgroupns', 'rootfs', 'proc', 'sys', 'dev', 'hostname', 'pivot_root',
  'masked_paths', 'readonly_paths', 'readonly_root', 'terminal', 'fds', 'cwd', 'signals', 'capabilities',
  'no_new_privs', 'seccomp', 'exec', 'join', 'user', 'mounts', 'rlimits', 'sysctl', 'cgroup',
] as const;

/**
 * The ContainerSetupError a failure record (struct ctr_setup_failure, as a shim that holds the start returns
 * it) stands for; undefined for an empty record (the command was exec'd).
 */
export function setupFailure(record: Buffer): ContainerSetupError | undefined {
  if (record.length < 8) return undefined;
  const text = (from: number, to: number): string => {
    const raw = record.subarray(from, Math.min(to, record.length));
    const nul = raw.indexOf(0);
    return raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8');
  };
  const err = record.readInt32LE(4);
  const syscall = text(8, 32);
  const file = text(32, 4096);
  const error = new Error(`container setup failed at ${syscall}: ${getSystemErrorMessage(err)}${file ? ` '${file}'` : ''}`) as ContainerSetupError;
  error.code = getSystemErrorName(-err);
  error.errno = -err;
  error.syscall = syscall;
  if (file) error.path = file;
  error.stage = stages[record.readInt32LE(0) - 1] ?? 'exec';
  return error;
}

function getSystemErrorMessage(err: number): string {
  return getSystemErrorMap().get(-err)?.[1] ?? `errno ${err}`;
}

export type ContainerSetupStage = (typeof stages)[number];

/**
 * Thrown by `Container.start()` when the child failed before its command ran, e.g. `code: 'ENOENT',
 * syscall: 'execve', stage: 'exec'` for a missing command (every candidate absent) or `code: 'EACCES'` for one
 * that is not executable. The child has been reaped by then.
 */
export interface ContainerSetupError extends Error {
  code: string;
  /** Negative, Node convention. */
  errno: number;
  syscall: string;
  path?: string;
  stage: ContainerSetupStage;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, num]) => [num, name as NodeJS.Signals]),
);

function toExitStatus(raw: NativeExitStatus): ExitStatus {
  return {
    exitCode: raw.exitCode,
    signal: raw.signal === null ? null : (signalNames.get(raw.signal) ?? raw.signal),
  };
}

function checkStdio(stdio: StdioSpec): StdioSpec {
  const isCount = (n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 0xffff;
  if (stdio?.kind === 'pty') {
    if (!isCount(stdio.rows) || !isCount(stdio.cols)) invalid('stdio', 'rows and cols must be integers 1-65535');
    return { kind: 'pty', rows: stdio.rows, cols: stdio.cols };
  }
  if (stdio?.kind === 'fds') {
    const fds = stdio.fds;
    if (!Array.isArray(fds) || fds.length !== 3 || !fds.every((fd) => Number.isInteger(fd) && fd >= 0)) {
      invalid('stdio.fds', 'must be three non-negative fd numbers');
    }
    return { kind: 'fds', fds: [fds[0], fds[1], fds[2]] };
  }
  return invalid('stdio.kind', "must be 'pty' or 'fds'");
}

function checkCgroupJoin(join: { taskFds: readonly number[]; cgroupFd?: number }) {
  const isFd = (fd: unknown) => Number.isInteger(fd) && (fd as number) >= 0;
  if (!Array.isArray(join.taskFds) || !join.taskFds.every(isFd)) invalid('cgroup.taskFds', 'must be fd numbers');
  if (join.cgroupFd !== undefined && !isFd(join.cgroupFd)) invalid('cgroup.cgroupFd', 'must be an fd number');
  return { taskFds: [...join.taskFds], ...(join.cgroupFd !== undefined ? { cgroupFd: join.cgroupFd } : {}) };
}

const images = new Map<string, number>();

// One sealed copy of build/static/ctr-init (and ctr-shim) per process, reused by every container (read-only by
// construction). Every container's first exec is the ctr-init memfd: see init/ctr-init.c for why.
function image(name: 'ctr-init' | 'ctr-shim'): number {
  let fd = images.get(name);
  if (fd === undefined) {
    fd = native.loadInitImage(staticHelperPath(name), name);
    images.set(name, fd);
  }
  return fd;
}

function checkSupervisor(spec: SupervisorSpec, stdio: StdioSpec) {
  const args = ['-d', checkString('supervisor.dir', spec.dir, true)];
  const keepFds: number[] = [];
  const fd = (flag: string, key: 'stdout' | 'stderr' | 'tiedTo') => {
    const value = spec[key];
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < 0) invalid(`supervisor.${key}`, 'must be an fd number');
    args.push(flag, String(value));
    keepFds.push(value);
  };
  fd('-o', 'stdout');
  fd('-e', 'stderr');
  fd('-w', 'tiedTo');
  if (spec.logMaxBytes !== undefined) args.push('-l', String(Math.max(4096, Math.floor(spec.logMaxBytes))));
  return {
    imageFd: image('ctr-shim'), args, keepFds, ownsTerminal: spec.terminal === true && stdio.kind === 'pty', holdsStart: spec.holdsStart === true,
    // stdio from pipes or a pty the shim holds: none of this process's 0-2 (see src/supervisor.cc)
    detached: spec.stdout !== undefined || spec.stderr !== undefined || (spec.terminal === true && stdio.kind === 'pty'),
  };
}

/**
 * A container whose first process has been cloned into its namespaces and is waiting for `start()`.
 * Between spawn and start the caller places `pid` in cgroups and moves a veth into `/proc/<pid>/ns/net`.
 */
export class Container {
  /** Host PID of its ctr-shim, when spawned with `supervisor`. */
  readonly supervisorPid: number | undefined;
  readonly #native: NativeContainer;
  #status: ExitStatus | undefined;
  #listeners: ((status: ExitStatus) => void)[] = [];
  #watching = false;

  /** @internal use spawnContainer() */
  constructor(handle: NativeContainer) {
    this.#native = handle;
    this.supervisorPid = handle.supervisorPid;
  }

  /**
   * Host PID of the container's PID 1. For `execInContainer`: of the joining process until `start()`, of the
   * program after it, even when the program has already exited and been reaped by then (a detached one, by
   * the engine's subreaper): an engine matches that exit against this pid.
   */
  get pid(): number {
    return this.#native.pid;
  }

  /** The pidfd (CLOEXEC), or -1 once the process has been reaped (by us, or before start() could open it). */
  get pidfd(): number {
    return this.#native.pidfd;
  }

  /** The exit status once the process has been reaped, else undefined. */
  get exitStatus(): ExitStatus | undefined {
    return this.#status;
  }

  /**
   * Lets the child continue; returns once the command has been exec'd. With a pty, returns its master fd
   * (CLOEXEC; read it with `readPtyMaster`: a bare `tty.ReadStream` can end before the last output).
   * @throws ContainerSetupError when setup or exec failed (the child is reaped by then)
   */
  start(): { ptyMaster?: number } {
    try {
      return this.#native.start();
    } catch (error) {
      // The native side reaped the child already; abort() just hands over its status.
      this.abort();
      throw error;
    }
  }

  /**
   * As `start()`, without blocking the event loop while the child builds its root and execs: the child's
   * error pipe is polled instead, so a process starting many containers at once sets others up meanwhile.
   * `abort()` while it is pending kills the child and rejects the promise.
   * @throws ContainerSetupError (rejects) when setup or exec failed (the child is reaped by then)
   */
  startAsync(): Promise<{ ptyMaster?: number }> {
    return new Promise((resolve, reject) => {
      this.#native.startAsync((error, result) => {
        if (error) {
          this.abort();
          reject(error);
        } else {
          resolve(result!);
        }
      });
    });
  }

  /**
   * Calls `listener` once the process has exited and been reaped (through its pidfd, never waitpid(-1)).
   * While someone listens, the event loop stays alive.
   */
  onExit(listener: (status: ExitStatus) => void): void {
    if (this.#status !== undefined) {
      const status = this.#status;
      process.nextTick(() => listener(status));
      return;
    }
    this.#listeners.push(listener);
    if (!this.#watching) {
      this.#watching = true;
      this.#native.onExit((raw) => this.#deliver(toExitStatus(raw)));
    }
  }

  /** Resolves with the exit status (see onExit). */
  wait(): Promise<ExitStatus> {
    return new Promise((resolve) => this.onExit(resolve));
  }

  /**
   * Sends a signal through the pidfd (no PID-reuse race). Note that a PID 1 without a handler ignores
   * everything but SIGKILL/SIGSTOP (pid_namespaces(7)); with `init: true`, ctr-init forwards it.
   * @returns false when the process is already gone
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    const num = typeof signal === 'number' ? signal : constants.signals[signal];
    if (num === undefined) throw new TypeError(`unknown signal '${String(signal)}'`);
    return this.#native.kill(num);
  }

  /**
   * SIGKILLs and reaps the process synchronously (for error paths, before or after start); idempotent.
   * Pending onExit listeners are called on the next tick.
   */
  abort(): void {
    const status = toExitStatus(this.#native.abort());
    if (this.#status !== undefined) return;
    this.#status = status;
    process.nextTick(() => this.#deliver(status));
  }

  #deliver(status: ExitStatus): void {
    this.#status = status;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener(status);
  }
}

/**
 * Clones the container's first process into new mnt, pid, uts, ipc and net namespaces (and a cgroup
 * namespace once started, rooted at the cgroup the caller placed it in; and a user namespace with
 * `security.userns`, whose id maps and idmapped rootfs are ready when this returns). The child waits until
 * `start()`.
 * Must be called on the main JS thread (PR_SET_PDEATHSIG follows the cloning thread).
 */
export function spawnContainer(options: SpawnContainerOptions): Container {
  const hostname = checkString('hostname', options.hostname);
  if (Buffer.byteLength(hostname) > 64) invalid('hostname', 'must be at most 64 bytes');
  const env = checkStrings('env', options.env);
  const badEnv = env.find((entry) => !entry.includes('='));
  if (badEnv !== undefined) invalid('env', `entries must be NAME=value, got '${badEnv}'`);
  const stdio = checkStdio(options.stdio);
  const processOptions = checkProcess(options, { usernsSize: options.security?.userns?.size, supervised: options.supervisor !== undefined });
  if (options.joinNamespaces?.some((j) => j.type === 'uts') && hostname !== '') {
    invalid('hostname', "must be '' with a joined uts namespace (it keeps its own name)");
  }
  const handle = native.spawnContainer({
    rootfs: checkString('rootfs', options.rootfs, true),
    hostname,
    argv: checkStrings('argv', options.argv, { nonEmpty: true }),
    execCandidates: checkStrings('execCandidates', options.execCandidates, { nonEmpty: true, absolute: true }),
    env,
    cwd: checkString('cwd', options.cwd, true),
    stdio,
    initFd: image('ctr-init'),
    init: options.init === true,
    ...(options.layer !== undefined ? { layer: checkString('layer', options.layer, true) } : {}),
    ...(options.cgroup !== undefined ? { cgroup: checkCgroupJoin(options.cgroup) } : {}),
    ...(options.supervisor !== undefined ? { supervisor: checkSupervisor(options.supervisor, stdio) } : {}),
    ...(options.security !== undefined ? { security: checkSecurity(options.security) } : {}),
    ...(options.devices !== undefined && options.devices.length > 0 ? { devices: checkDevices(options.devices) } : {}),
    ...(options.mounts !== undefined && options.mounts.length > 0
      ? { mounts: checkMounts(options.mounts, { cgroupns: existsSync('/proc/self/ns/cgroup') }) } : {}),
    ...(options.rlimits !== undefined && options.rlimits.length > 0
      ? { rlimits: checkRlimits(options.rlimits, { userns: options.security?.userns !== undefined }) } : {}),
    ...processOptions,
    ...(options.execFifo !== undefined ? { execFifo: checkString('execFifo', options.execFifo, true) } : {}),
    ...(options.preserveFds !== undefined ? { preserveFds: checkInteger('preserveFds', options.preserveFds, 0, 65_536) } : {}),
  });
  return new Container(handle);
}

/** Sets a pty's window size (TIOCSWINSZ on the master); the container's foreground group gets SIGWINCH. */
export function setWinsize(ptyMaster: number, rows: number, cols: number): void {
  native.setWinsize(ptyMaster, rows, cols);
}

/**
 * isatty(3) of an fd. `process.stdin.isTTY` answers too, but builds the stdin stream first (loading all of
 * node:stream and node:net), several milliseconds of a container's start.
 */
export function isTerminal(fd: number): boolean {
  return native.isTerminal(fd);
}

/**
 * Sends `fd` (e.g. a pty master) to the unix stream socket at `path` in one SCM_RIGHTS message and returns
 * without waiting for an answer: runc's `--console-socket` protocol, which podman's conmon and containerd's
 * shim listen on.
 */
export function sendFdToSocket(path: string, fd: number): void {
  native.sendFdToSocket(checkString('path', path), checkInteger('fd', fd, 0, 2 ** 31 - 1));
}

/** A pidfd for any process (CLOEXEC): signals through it never reach a later process with the same pid. */
export function pidfdOpen(pid: number): number {
  return native.pidfdOpen(pid);
}

/** Sends `signal` through a pidfd; false when the process is gone. */
export function pidfdSignal(pidfd: number, signal: NodeJS.Signals | number): boolean {
  const num = typeof signal === 'number' ? signal : constants.signals[signal];
  if (num === undefined) throw new TypeError(`unknown signal '${String(signal)}'`);
  return native.pidfdSignal(pidfd, num);
}

/** Blocks up to `timeoutMs` for the process to exit; true once it has (works for any process, not only children). */
export function pidfdWait(pidfd: number, timeoutMs: number): boolean {
  return native.pidfdWait(pidfd, timeoutMs);
}

/** A pipe, both ends CLOEXEC: [read, write]. */
export function pipe(): [number, number] {
  return native.pipe();
}

export interface ExecInContainerOptions {
  /** pidfd of the container's PID 1 (e.g. from pidfdOpen) */
  pidfd: number;
  /** join the container's user namespace too (it has one: `security.userns` at spawn) */
  userns?: boolean;
  argv: string[];
  /** absolute paths inside the container, tried in order */
  execCandidates: string[];
  env: string[];
  cwd: string;
  stdio: StdioSpec;
  /** capabilities, no_new_privs and seccomp as the container got them (mount settings are the container's) */
  security?: Omit<SecurityOptions, 'userns'>;
  /** numeric ids to run as, with supplementary groups (default: root of the container, no groups) */
  user?: ProcessUser;
  /** umask of the program (default: this process's) */
  umask?: number;
  /** resource limits of the program, as `spawnContainer`'s */
  rlimits?: Rlimit[];
  /**
   * Leave the program once it runs (runc's exec --detach): the joining process exits as soon as the program's
   * pid is known, so the program is adopted by this process's reaper; `onExit` then reports the joining
   * process (0), not the program.
   */
  detach?: boolean;
}

/**
 * Runs a program in a running container (`ctr exec`): a single-threaded child joins every namespace of the
 * container's PID 1 with one setns(pidfd) and forks the program, so it is inside the PID namespace. It waits
 * for `start()`; place `pid` (the joining process) in the container's cgroup first, the program inherits it.
 * `onExit` reports the program's status (128+N for a death by signal N, as an exit code).
 */
export function execInContainer(options: ExecInContainerOptions): Container {
  const env = checkStrings('env', options.env);
  const stdio = checkStdio(options.stdio);
  // the namespaces `ctr exec` joins
  let flags = CLONE_NEW.mount | CLONE_NEW.pid | CLONE_NEW.uts | CLONE_NEW.ipc | CLONE_NEW.network;
  if (existsSync('/proc/self/ns/cgroup')) flags |= CLONE_NEW.cgroup;
  if (options.userns) flags |= CLONE_NEW.user;
  // the container's user namespace (if any) maps the ids; its size is not known here, the kernel checks them
  const processOptions = checkProcess({ user: options.user, umask: options.umask }, { supervised: false });
  const handle = native.execInContainer({
    joinPidfd: options.pidfd,
    initFd: image('ctr-init'),
    joinFlags: flags,
    argv: checkStrings('argv', options.argv, { nonEmpty: true }),
    execCandidates: checkStrings('execCandidates', options.execCandidates, { nonEmpty: true, absolute: true }),
    env,
    cwd: checkString('cwd', options.cwd, true),
    stdio,
    ...(options.security !== undefined ? { security: checkSecurity(options.security) } : {}),
    ...processOptions,
    ...(options.rlimits !== undefined && options.rlimits.length > 0
      ? { rlimits: checkRlimits(options.rlimits, { userns: options.userns === true }) } : {}),
    ...(options.detach === true ? { detach: true } : {}),
  });
  return new Container(handle);
}
