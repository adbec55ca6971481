// helpers.ts — drive the real `ctr` binary (dist/ctr.cjs) against the default rootfs, and snapshot the host
// state a container could leak (mounts, state files, leases, veths, cgroups, writable layers, shims) so each
// test can prove nothing leaked. Every `ctr` command these helpers run is checked when it ends (`leftoversOf`):
// each ctr command first sweeps what dead ones left, so a check only after each test would never see an error
// path that forgot its cgroup or lease — the next command would have cleaned it first.
import { spawn, execFileSync } from 'node:child_process';
import { afterEach, beforeAll, expect } from 'vitest';
import { ctrContainerGroups } from './cgroup-tree.js';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCgroupManager } from '@ctr/cgroups';

const here = path.dirname(fileURLToPath(import.meta.url));
export const cliPath = path.resolve(here, '../dist/ctr.cjs');
export const defaultRootfs = path.resolve(here, '../../../rootfs/default');
export const demoBuild = path.resolve(here, '../../demo-apps/build');
/** Where containers' writable layers live (config.ts dataRoot; the v2 guest sets CTR_DATA_DIR). */
export const layersDir = path.join(process.env.CTR_DATA_DIR ?? '/var/lib/ctr', 'containers');

export interface CtrResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CtrOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** fds ctr inherits as 3, 4, … (without CLOEXEC), as a caller might leak them */
  extraFds?: number[];
  /** called with the child once it is spawned (to signal it, read its output early, …) */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
  /**
   * Skip the check for what this command left (see `leftoversOf`). A command killed by a signal is never
   * checked: what it held is the sweep's to release.
   */
  leftoversAllowed?: boolean;
}

/**
 * Runs `node dist/ctr.cjs ...args`; resolves with status and output (never rejects on a non-zero exit). Rejects
 * when the command, having exited by itself, left something behind (`leftoversOf`).
 */
export function ctr(args: string[], opts: CtrOptions = {}): Promise<CtrResult> {
  const before = opts.leftoversAllowed ? undefined : hostSnapshot();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe', ...(opts.extraFds ?? [])],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ctr ${args.join(' ')} timed out; stdout: ${stdout} stderr: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr };
      if (!before || signal !== null) return resolve(result);
      leftoversOf(child.pid!, before).then((left) => {
        if (left.length === 0) resolve(result);
        else reject(new Error(`ctr ${args.join(' ')} (exit ${code}) left behind: ${left.join('; ')}; stderr: ${stderr}`));
      }, reject);
    });
    opts.onSpawn?.(child);
    child.stdin!.end(opts.input ?? '');
  });
}

/** Everything on the host a container may leave behind, as comparable strings. */
export function hostSnapshot(): Record<string, string[]> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter(Boolean)
    .sort();
  const states = existsSync('/run/ctr/containers') ? readdirSync('/run/ctr/containers').sort() : [];
  const leaseDir = '/run/ctr/ipam/ctr0';
  // A lease whose veth the kernel already deleted is free to the allocator (see leaseOwner): not a leftover.
  const leases = existsSync(leaseDir) ? readdirSync(leaseDir).filter((f) => !f.startsWith('.') && leaseOwner(f) !== null).sort() : [];
  // From sysfs, not `ip link`: no process to start for a check made after every ctr command, and no dump
  // interrupted by a concurrent change (rtnetlink then says so and the list is incomplete).
  const links = readdirSync('/sys/class/net')
    .filter((l) => l.startsWith('vc') || linkMaster(l) === 'ctr0')
    .sort();
  const cgroups = ctrContainerGroups();
  const layers = existsSync(layersDir) ? readdirSync(layersDir).sort() : [];
  return { mounts, states, leases, links, cgroups: cgroups.sort(), layers, shims: shimPids().map(String) };
}

/** The bridge a host interface is a port of; undefined for none, or once it is gone. */
function linkMaster(ifname: string): string | undefined {
  try {
    return path.basename(readlinkSync(`/sys/class/net/${ifname}/master`));
  } catch {
    return undefined;
  }
}

/**
 * Pids of every ctr-shim on the host (its comm, set by the shim itself with PR_SET_NAME). A zombie is not
 * one: a killed ctr's shim is reparented to the host's init, whose reap may come later.
 */
function shimPids(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const head = `${p} (ctr-shim) `;
        return stat.startsWith(head) && stat[head.length] !== 'Z';
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number)
    .sort((a, b) => a - b);
}

interface StateFile {
  name: string;
  id: string;
  ctrPid: number;
  shimPid?: number;
  status?: string;
  detached?: boolean;
  startBySupervisor?: boolean;
}

function readStates(): StateFile[] {
  const dir = '/run/ctr/containers';
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as StateFile];
      } catch {
        return []; // removed meanwhile
      }
    });
}

/**
 * The container id a lease file (named by its address) was taken for; null once it is released. A lease that
 * names a veth the kernel has deleted (with the container's netns) counts as released: the address is free to
 * the allocator, and the next sweep drops the file (see release.ts) — the veth itself is checked as a link.
 */
function leaseOwner(address: string): string | null | undefined {
  try {
    const lease = JSON.parse(readFileSync(path.join('/run/ctr/ipam/ctr0', address), 'utf8')) as { owner?: string; link?: string };
    if (lease.link !== undefined && !existsSync(path.join('/sys/class/net', lease.link))) return null;
    return lease.owner;
  } catch {
    return null;
  }
}

/** Where a mount ctr leaked on the host would be: its state, its layers, the rootfs store. */
const ctrMountRoots = ['/run/ctr', path.dirname(layersDir), path.dirname(defaultRootfs)];

/**
 * What the ctr command `pid`, now exited, left that no ctr command should have to clean after it, compared
 * with `before` (the host when it started): a new mount where ctr mounts; a new cgroup, veth, lease, layer or shim that no
 * state file names (forgotten by an error path); a state file of its own for a foreground container or one
 * whose creation it abandoned (a foreground run removes its container; a failed create, all it made).
 * Containers of other, concurrent commands are named by their state files, which exist before anything they
 * make and go after it; a fleeting gap (one started and removed between two reads) is re-checked before it
 * counts. Empty when nothing leaked.
 */
export async function leftoversOf(pid: number, before: Record<string, string[]>): Promise<string[]> {
  let left: string[] = [];
  // A container's veth outlives it by the kernel's netns teardown (asynchronous, longer under load): while only
  // links and leases remain, look again for up to 3 s; anything else gets two more looks 100 ms apart.
  const deadline = Date.now() + 3000;
  for (let attempt = 0; attempt < 3 || (left.every((l) => /^(links|leases) /.test(l)) && Date.now() < deadline); attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 100));
    const statesBefore = readStates();
    const now = hostSnapshot();
    const added = (key: string): string[] => now[key]!.filter((x) => !before[key]!.includes(x));
    // Owners are read between the two reads of the states: a lease taken after the second would be missed.
    const owners = new Map(added('leases').map((a) => [a, leaseOwner(a)]));
    const states = [...statesBefore, ...readStates()];
    const ids = new Set(states.map((s) => s.id));
    /** `idOf` gives undefined for an entry no container can own, null for one that went meanwhile */
    const named = (key: string, idOf: (x: string) => string | null | undefined): string[] =>
      added(key).filter((x) => {
        const id = idOf(x);
        return id !== null && (id === undefined || ![...ids].some((known) => known.startsWith(id)));
      }).map((x) => `${key} ${x}`);
    left = [
      // Only where ctr mounts on the host side: other programs on this machine mount elsewhere meanwhile.
      ...added('mounts').filter((m) => ctrMountRoots.some((root) => m.startsWith(root))).map((m) => `mount ${m}`),
      ...named('cgroups', (g) => path.basename(g)),
      ...named('links', (l) => (l.startsWith('vc') ? l.slice(2) : undefined)),
      ...named('leases', (a) => owners.get(a)),
      ...named('layers', (l) => l),
      ...added('shims').filter((p) => !states.some((s) => s.shimPid === Number(p))).map((p) => `shim ${p}`),
      ...states
        .filter((s) => s.ctrPid === pid && (!s.detached || (s.status === 'created' && !s.startBySupervisor)))
        .map((s) => `state of ${s.detached ? 'unstarted' : 'foreground'} container ${s.name}`),
    ];
    if (left.length === 0) return [];
  }
  return [...new Set(left)];
}

export interface PsEntry {
  name: string;
  pid: number;
  rootfsMode: 'overlay' | 'rw';
  layer?: string;
  ip?: string;
  hostname: string;
  cgroup?: string;
  limits?: Record<string, number>;
}

/** Polls `ctr ps --json` until `name` is listed (its command is running), or fails after `timeoutMs`. */
export async function waitForContainer(name: string, timeoutMs = 10_000): Promise<PsEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await ctr(['ps', '--json']);
    const found = (JSON.parse(r.stdout || '[]') as PsEntry[]).find((c) => c.name === name);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`container ${name} did not appear in ctr ps: ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/**
 * Runs a host program and resolves with its status and output.
 * @param opts its directory and environment; `extraFds`: fds it inherits as 3, 4, … (without CLOEXEC)
 */
export function host(
  cmd: string,
  args: string[],
  timeoutMs = 10_000,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; extraFds?: number[] } = {},
): Promise<CtrResult> {
  return new Promise((resolve, reject) => {
    const { extraFds = [], ...where } = opts;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', ...extraFds], ...where });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Registers the leak check of a suite: before it, `ctr ps` releases what an earlier, killed run may have left
 * (so that is not blamed on this suite) and the host is snapshotted; after every test it must be the same.
 */
export function expectNothingLeaked(): void {
  let before: Record<string, string[]>;
  beforeAll(async () => {
    await ctr(['ps']);
    before = hostSnapshot();
  });
  afterEach(async () => {
    expect(await settledSnapshot(before)).toEqual(before);
  });
}

/**
 * The host snapshot once the network of ended containers is gone, or as it is after `timeoutMs`. The kernel
 * deletes a container's veth with its netns a moment after the container's end, and the lease naming that
 * veth is released by the next ctr command's sweep after that (see release.ts): both are waited for, and
 * `ctr ps` runs while only leases differ (unless `sweep` is false: a test of the sweep itself). Anything else
 * that differs is returned at once.
 */
export async function settledSnapshot(
  before: Record<string, string[]>,
  { timeoutMs = 5000, sweep = true }: { timeoutMs?: number; sweep?: boolean } = {},
): Promise<Record<string, string[]>> {
  const same = (a: string[] | undefined, b: string[] | undefined) => JSON.stringify(a) === JSON.stringify(b);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = hostSnapshot();
    const differing = Object.keys(before).filter((key) => !same(now[key], before[key]));
    if (differing.length === 0 || differing.some((key) => key !== 'links' && key !== 'leases') || Date.now() > deadline) return now;
    if (differing.includes('links') || !sweep) await new Promise((r) => setTimeout(r, 20));
    else await ctr(['ps']);
  }
}

/**
 * Cores the processes of a container's cgroup used over `seconds`, from that cgroup's own CPU accounting.
 * @param cgroupPath the group as `ctr ps --json` reports it: relative to this process's own cgroup
 */
export async function measureCores(cgroupPath: string, seconds: number): Promise<number> {
  const manager = createCgroupManager({ path: cgroupPath });
  const t0 = process.hrtime.bigint();
  const u0 = manager.stats().cpu!.usageNs;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const u1 = manager.stats().cpu!.usageNs;
  const t1 = process.hrtime.bigint();
  return (u1 - u0) / Number(t1 - t0);
}

export interface Started {
  entry: PsEntry;
  /** sends SIGTERM to `ctr run` and resolves with its result */
  stop(): Promise<CtrResult>;
  /** sends `signal` to `ctr run` itself and resolves with its result */
  kill(signal: NodeJS.Signals): Promise<CtrResult>;
}

/**
 * Starts `ctr run --name NAME ...args` in the background and resolves once `ctr ps` lists it and, with
 * `readyLine`, once its stdout printed that text. If it ends or fails to get ready, it is stopped and this
 * rejects, so a test never leaves a container behind.
 * @param timeoutMs how long `ctr run` may take in all and how long it may take to appear in `ctr ps` (slow
 *   machines such as the cgroup v2 qemu guest); by default 60 s and 10 s
 */
export async function startContainer(name: string, args: string[], readyLine?: string, timeoutMs?: number): Promise<Started> {
  let child: import('node:child_process').ChildProcess | undefined;
  let ready: Promise<void> = Promise.resolve();
  const done = ctr(['run', '--name', name, ...args], {
    timeoutMs: timeoutMs ?? 60_000,
    onSpawn: (c) => {
      child = c;
      if (readyLine === undefined) return;
      ready = new Promise((resolve) => {
        let out = '';
        c.stdout!.on('data', (d) => {
          out += d;
          if (out.includes(readyLine)) resolve();
        });
      });
    },
  });
  const stop = async (): Promise<CtrResult> => {
    child!.kill('SIGTERM');
    return done;
  };
  try {
    const entry = await waitForContainer(name, timeoutMs);
    await Promise.race([ready, done.then((r) => Promise.reject(new Error(`container ${name} ended: ${r.stderr}`)))]);
    const kill = async (signal: NodeJS.Signals): Promise<CtrResult> => {
      child!.kill(signal);
      return done;
    };
    return { entry, stop, kill };
  } catch (err) {
    await stop();
    throw err;
  }
}
