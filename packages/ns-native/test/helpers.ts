// helpers.ts — test-only glue around spawnContainer: run a command with its output captured in a temp file,
// snapshot the host's mount table, and list the host processes whose parent is a given PID.
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { spawnContainer, type Container, type ExitStatus, type SpawnContainerOptions } from '../lib/index.js';
import { buildRootfs, removeRootfs } from './rootfs.js';

export const SH = ['/usr/bin/sh'];

export type Overrides = Partial<SpawnContainerOptions>;

/** Valid options on a rootfs that does not exist: for tests that expect validation to refuse one field first. */
export const validationBase: SpawnContainerOptions = {
  rootfs: '/nonexistent-rootfs',
  hostname: 'x',
  argv: ['true'],
  execCandidates: ['/bin/true'],
  env: [],
  cwd: '/',
  stdio: { kind: 'fds', fds: [0, 1, 2] },
};

/** Options for `sh -c script` with stdout+stderr to `outFd`. */
export function shOptions(rootfs: string, script: string, outFd: number, nullFd: number): SpawnContainerOptions {
  return {
    rootfs,
    hostname: 'ctr-test',
    argv: ['sh', '-c', script],
    execCandidates: SH,
    env: ['PATH=/usr/bin:/bin', 'HOME=/root'],
    cwd: '/',
    stdio: { kind: 'fds', fds: [nullFd, outFd, outFd] },
  };
}

/** Tracks containers so afterEach can kill and reap whatever a failed test left running. */
export class Tracker {
  readonly containers: Container[] = [];

  spawn(options: SpawnContainerOptions): Container {
    const c = spawnContainer(options);
    this.containers.push(c);
    return c;
  }

  cleanup(): void {
    for (const c of this.containers.splice(0)) c.abort();
  }
}

/** Runs `sh -c script` in the container to completion; returns its output and exit status. */
export async function runSh(
  tracker: Tracker,
  rootfs: string,
  script: string,
  overrides: Overrides = {},
): Promise<{ output: string; status: ExitStatus; pid: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctr-out-'));
  const file = path.join(dir, 'out');
  const outFd = openSync(file, 'w+');
  const nullFd = openSync('/dev/null', 'r');
  try {
    const c = tracker.spawn({ ...shOptions(rootfs, script, outFd, nullFd), ...overrides });
    c.start();
    const status = await c.wait();
    return { output: readFileSync(file, 'utf8'), status, pid: c.pid };
  } finally {
    closeSync(outFd);
    closeSync(nullFd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The host's mount table as this process sees it; any mount leaking out of a container changes it. */
export function hostMounts(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8');
}

/** Host PIDs of the children of `parent`, with their state letter (Z = zombie). */
export function childrenOf(parent: number): { pid: number; state: string }[] {
  const out: { pid: number; state: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === parent) out.push({ pid: Number(entry), state: state! });
  }
  return out;
}

/** Resolves once the (single) child of `parent` runs the program `comm` (polls /proc). */
export async function commandBecomes(parent: number, comm: string): Promise<void> {
  for (;;) {
    const [child] = childrenOf(parent);
    if (child !== undefined && readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() === comm) return;
    await sleep(5);
  }
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Registers what every container suite needs: one test rootfs built before and removed after the suite, and
 * after each test the tracked containers cleaned up and the host mount table unchanged.
 */
export function useSandbox(): { readonly rootfs: string; tracker: Tracker } {
  let rootfs = '';
  let mountsBefore = '';
  const tracker = new Tracker();
  beforeAll(() => {
    rootfs = buildRootfs();
  });
  afterAll(() => removeRootfs(rootfs));
  beforeEach(() => {
    mountsBefore = hostMounts();
  });
  afterEach(() => {
    tracker.cleanup();
    expect(hostMounts()).toBe(mountsBefore);
  });
  return {
    get rootfs() {
      return rootfs;
    },
    tracker,
  };
}
