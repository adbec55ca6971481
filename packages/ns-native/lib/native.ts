// native.ts — the raw binding's shape and its loader. Only types and the load step live here; the typed,
// validated wrappers are in the other lib/ files. The .node file is loaded at run time, never bundled
// (an ESM bundle would swallow the require of a .node file).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceNode } from './devices.js';
import type { NativeMount } from './mounts.js';
import type { NativeRlimit } from './rlimits.js';
import type { NativeProcessOptions } from './process.js';

/** What the native `onExit` reports; `signal` is a number here, lib/spawn.ts turns it into a name. */
export interface NativeExitStatus {
  exitCode: number | null;
  signal: number | null;
}

/** The options object `spawnContainer` takes once lib/spawn.ts has validated it. */
export interface NativeSpawnOptions extends NativeProcessOptions {
  rootfs: string;
  hostname: string;
  argv: string[];
  execCandidates: string[];
  env: string[];
  cwd: string;
  stdio: { kind: 'pty'; rows: number; cols: number } | { kind: 'fds'; fds: [number, number, number] };
  /** Sealed ctr-init memfd from `loadInitImage`: the child's only exec, with or without `init`. */
  initFd: number;
  /** ctr-init stays as PID 1 (true) or just execs the command (false). */
  init: boolean;
  /** Directory holding `upper` and `work` of the container's overlay; absent: writes go into `rootfs`. */
  layer?: string;
  security?: NativeSecurityOptions;
  devices?: DeviceNode[];
  mounts?: NativeMount[];
  rlimits?: NativeRlimit[];
  supervisor?: NativeSupervisorOptions;
  /** v1 `tasks` fds the child writes "0" to, and the v2 directory it is cloned into (CLONE_INTO_CGROUP) */
  cgroup?: { taskFds: number[]; cgroupFd?: number };
  /** Absolute path of an OCI exec.fifo: the command waits for `start` on it (see SpawnContainerOptions). */
  execFifo?: string;
  preserveFds?: number;
}

/** A supervised spawn (see lib/spawn.ts `supervisor`): the sealed ctr-shim image and its arguments. */
export interface NativeSupervisorOptions {
  imageFd: number;
  args: string[];
  keepFds: number[];
  ownsTerminal: boolean;
  holdsStart: boolean;
  detached: boolean;
}

/** `execInContainer`'s options once lib/spawn.ts has validated them. */
export interface NativeExecOptions extends Omit<NativeProcessOptions, 'sysctl' | 'joinNamespaces'> {
  joinPidfd: number;
  initFd: number;
  joinFlags: number;
  argv: string[];
  execCandidates: string[];
  env: string[];
  cwd: string;
  stdio: NativeSpawnOptions['stdio'];
  security?: NativeSecurityOptions;
  rlimits?: NativeRlimit[];
  detach?: boolean;
}

/** `security` as lib/security.ts validated it, plus the kernel's last capability number. */
export interface NativeSecurityOptions {
  /** the bounding set */
  capabilities: number[];
  permitted: number[];
  effective: number[];
  inheritable: number[];
  ambient: number[];
  lastCap: number;
  noNewPrivileges: boolean;
  seccomp?: Buffer;
  maskedPaths: string[];
  readonlyPaths: string[];
  readonlyRootfs: boolean;
  userns?: { hostUid: number; hostGid: number; size: number };
}

export interface NativeContainer {
  readonly pid: number;
  /** the ctr-shim process, when supervised */
  readonly supervisorPid: number | undefined;
  /** -1 once the child has been reaped. */
  readonly pidfd: number;
  start(): { ptyMaster?: number };
  startAsync(callback: (error: Error | null, result?: { ptyMaster?: number }) => void): void;
  onExit(callback: (status: NativeExitStatus) => void): void;
  kill(signal: number): boolean;
  /** Kills and reaps unless already reaped; returns the status either way. */
  abort(): NativeExitStatus;
}

export interface NativeBinding {
  close(fd: number): void;
  netlinkOpen(netnsPath?: string): number;
  netlinkSend(fd: number, message: Buffer): void;
  netlinkRecv(fd: number, timeoutMs: number): Buffer;
  spawnContainer(options: NativeSpawnOptions): NativeContainer;
  execInContainer(options: NativeExecOptions): NativeContainer;
  setWinsize(fd: number, rows: number, cols: number): void;
  isTerminal(fd: number): boolean;
  sendFdToSocket(path: string, fd: number): void;
  bpfProgLoad(progType: number, insns: Buffer, license: string): number;
  bpfProgAttach(targetFd: number, progFd: number, attachType: number, flags: number): void;
  bpfProgQuery(targetFd: number, attachType: number): { ids: number[]; flags: number };
  bpfProgGetFdById(id: number): number;
  loadInitImage(path: string, name?: string): number;
  pidfdOpen(pid: number): number;
  pidfdSignal(fd: number, signal: number): boolean;
  pidfdWait(fd: number, timeoutMs: number): boolean;
  pipe(): [number, number];
}

/**
 * Directory of this package: prebuilds/ (the shipped addon), build/Release/ (a source build) and build/static/
 * (the static helpers). Found by package name rather than only from this file's location, so it stays right
 * when a CLI bundles this code into its own dist/: first this file's own package (unbundled, it is
 * dist/index.js), then node_modules/@ctr/ns-native in each directory above it, the way require looks a
 * package up. Both with a few stat calls: require.resolve() of a package with an `exports` map loads Node's
 * ESM resolver, ~4-5 ms of every `ctr run`. It stays the answer for anything else (NODE_PATH, global folders).
 */
export const packageDir = findPackageDir();

function findPackageDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const own = path.dirname(here);
  if (isThisPackage(own)) return own;
  for (let dir = here; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '@ctr', 'ns-native');
    if (isThisPackage(candidate)) return realpathSync(candidate);
    if (dir === path.dirname(dir)) break;
  }
  return path.dirname(createRequire(import.meta.url).resolve('@ctr/ns-native/package.json'));
}

function isThisPackage(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === '@ctr/ns-native';
  } catch {
    return false;
  }
}

/** A static helper program (one per init/*.c, e.g. `ctr-init`), shipped prebuilt in build/static/. */
export function staticHelperPath(name: string): string {
  return path.join(packageDir, 'build/static', name);
}

// Resolved from this package's directory, not from the bundle that inlined this file: under pnpm the
// bundling package cannot see our dependencies.
const packageRequire = createRequire(path.join(packageDir, 'package.json'));

interface Toolchain {
  missingAddonMessage(packageDir: string, reason?: string): string;
}

function loadError(reason: string | undefined, cause: unknown): Error {
  const { missingAddonMessage } = packageRequire('./scripts/toolchain.cjs') as Toolchain;
  const error = new Error(missingAddonMessage(packageDir, reason), { cause });
  Object.assign(error, { code: 'ERR_CTR_NATIVE_LOAD' });
  return error;
}

/**
 * The file node-gyp-build would pick in the usual cases, found with a few stat calls: loading node-gyp-build
 * and listing prebuilds/ took ~4 ms of every container start. Its order: any build/Release addon (a source
 * build), then build/Debug, then the prebuild whose tags match (libc: musl where /etc/alpine-release exists,
 * or $LIBC); its override $CTR_NS_NATIVE_PREBUILD. Anything but build/Release and the glibc prebuild is left
 * to node-gyp-build itself.
 */
function usualAddonFile(): string | undefined {
  if (process.env.CTR_NS_NATIVE_PREBUILD !== undefined) return undefined;
  const release = path.join(packageDir, 'build/Release/ctr_native.node');
  if (existsSync(release)) return release;
  const glibc = (process.env.LIBC ?? (existsSync('/etc/alpine-release') ? 'musl' : 'glibc')) === 'glibc';
  if (!glibc || existsSync(path.join(packageDir, 'build/Debug'))) return undefined;
  const prebuild = path.join(packageDir, 'prebuilds', `${process.platform}-${process.arch}`, 'ctr_native.glibc.node');
  return existsSync(prebuild) ? prebuild : undefined;
}

/**
 * node-gyp-build picks build/Release (a source build: the install script makes one when no prebuild fits)
 * and otherwise the prebuilds/<platform-arch>/ file whose tags (libc) match this system.
 */
function load(): NativeBinding {
  let file: string;
  try {
    file = usualAddonFile() ?? (packageRequire('node-gyp-build') as { resolve(dir: string): string }).resolve(packageDir);
  } catch (err) {
    throw loadError(undefined, err);
  }
  try {
    return packageRequire(file) as NativeBinding;
  } catch (err) {
    // e.g. "version `GLIBC_2.34' not found": Node's message goes on with a multi-line require stack.
    throw loadError(String((err as Error)?.message ?? err).split('\n')[0], err);
  }
}

let binding: NativeBinding | undefined;

/**
 * The binding, loaded on first use: importing this package (e.g. for its seccomp compiler or capability
 * table, or through @ctr/netns for IPAM) costs no dlopen and cannot fail when the addon is not built.
 */
export const native: NativeBinding = new Proxy({} as NativeBinding, {
  get: (_target, key) => (binding ??= load())[key as keyof NativeBinding],
});
