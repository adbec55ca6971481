// native.ts — the raw binding's shape and its loader. Only types and the load step live here; the typed,
// validated wrappers are in the other lib/ files. The .node file is loaded at run time, never bundled
// (an ESM bundle would swallow the require of a .node file).
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DeviceNode } from './devices.js';

/** What the native `onExit` reports; `signal` is a number here, lib/spawn.ts turns it into a name. */
export interface NativeExitStatus {
  exitCode: number | null;
  signal: number | null;
}

/** The options object `spawnContainer` takes once lib/spawn.ts has validated it. */
export interface NativeSpawnOptions {
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
}

/** `security` as lib/security.ts validated it, plus the kernel's last capability number. */
export interface NativeSecurityOptions {
  capabilities: number[];
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
  /** -1 once the child has been reaped. */
  readonly pidfd: number;
  start(): { ptyMaster?: number };
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
  setWinsize(fd: number, rows: number, cols: number): void;
  loadInitImage(path: string): number;
  bpfProgLoad(progType: number, insns: Buffer, license: string): number;
  bpfProgAttach(targetFd: number, progFd: number, attachType: number, flags: number): void;
  bpfProgQuery(targetFd: number, attachType: number): { ids: number[]; flags: number };
  bpfProgGetFdById(id: number): number;
}

/**
 * Directory of this package, where build/ holds the addon and ctr-init. Resolved by package name rather than
 * from this file's location, so it stays right when a CLI bundles this code into its own dist/.
 */
export const packageDir = path.dirname(createRequire(import.meta.url).resolve('@ctr/ns-native/package.json'));

function load(): NativeBinding {
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  let last: unknown;
  for (const rel of ['build/Release/ctr_native.node', 'build/Debug/ctr_native.node']) {
    const file = path.join(packageDir, rel);
    tried.push(file);
    try {
      return require(file) as NativeBinding;
    } catch (err) {
      last = err;
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') break;
    }
  }
  // Node's message for a missing module goes on with a multi-line "Require stack"; one line is enough here.
  const reason = String((last as Error)?.message ?? last).split('\n')[0];
  const error = new Error(
    `failed to load ctr_native.node (tried: ${tried.join(', ')}): ${reason}; ` +
      'build it with `pnpm --filter @ctr/ns-native build`',
    { cause: last },
  );
  Object.assign(error, { code: 'ERR_CTR_NATIVE_LOAD' });
  throw error;
}

let binding: NativeBinding | undefined;

/**
 * The binding, loaded on first use: importing this package (e.g. for its seccomp compiler or capability
 * table, or through @ctr/netns for IPAM) costs no dlopen and cannot fail when the addon is not built.
 */
export const native: NativeBinding = new Proxy({} as NativeBinding, {
  get: (_target, key) => (binding ??= load())[key as keyof NativeBinding],
});
