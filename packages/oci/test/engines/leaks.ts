// leaks.ts — what an engine and its runtime may leave on the host, as comparable lists: mount points,
// network links, named network namespaces, the container groups under the engine's cgroup parent, the
// runtimes' state directories and any process still naming the test's temp dir (conmon, a shim). Each engine
// suite snapshots it before its first case and requires the same after every case.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, beforeAll, expect } from 'vitest';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The hierarchies' roots: each controller's directory on v1/hybrid, /sys/fs/cgroup itself on v2. */
function hierarchies(): string[] {
  if (existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers'))) return [CGROUP_ROOT];
  return readdirSync(CGROUP_ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(CGROUP_ROOT, e.name));
}

/**
 * Every group below `parent` (an absolute cgroup path such as /libpod_parent) in any hierarchy, but for the
 * engine's own `skip` children (podman's /libpod_parent/conmon, where it puts every conmon).
 */
export function groupsUnder(parent: string, skip: string[] = []): string[] {
  const found: string[] = [];
  const walk = (dir: string, top: boolean): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || (top && skip.includes(e.name))) continue;
      found.push(path.join(dir, e.name));
      walk(path.join(dir, e.name), false);
    }
  };
  for (const h of hierarchies()) if (existsSync(path.join(h, parent))) walk(path.join(h, parent), true);
  return found.sort();
}

/** The directories of group `parent` (an absolute cgroup path) that exist now, one per hierarchy. */
export function parentGroups(parent: string): string[] {
  return hierarchies()
    .map((h) => path.join(h, parent))
    .filter((dir) => existsSync(dir));
}

/**
 * Removes the directories of group `parent` that were not there before (`existed`), with the engine's own
 * groups in them. Engines make the parent and leave it (podman's /libpod_parent and its conmon group,
 * containerd's /<namespace>): a runtime removes only the container's own group. rmdir removes only a group
 * without processes, so a container left in one fails here loudly.
 */
export function removeParentGroups(parent: string, existed: string[]): void {
  const removeTree = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(path.join(dir, e.name));
    rmdirSync(dir);
  };
  for (const dir of parentGroups(parent)) if (!existed.includes(dir)) removeTree(dir);
}

/** Pids (other than `except`) whose command line names `dir`. */
function processesNaming(dir: string, except: number[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (except.includes(Number(pid))) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(dir)) found.push(`${pid} ${cmdline.trim()}`);
    } catch {
      // exited while we looked
    }
  }
  return found;
}

const list = (dir: string): string[] => (existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).sort() : []);

export interface LeakScope {
  /** the suite's temp dir (storage, state, sockets) */
  dir: string;
  /** the engine's cgroup parent, e.g. /libpod_parent */
  cgroupParent: string;
  /** groups of the engine's own in the parent, not the containers' (podman: conmon) */
  engineGroups?: string[];
  /** pids allowed to name `dir` (the containerd daemon the suite started) */
  daemons?: () => number[];
  /** mount points the engine's own storage may hold between commands (checked when the suite removes `dir`) */
  storageMounts?: string[];
}

/** Every mount point of this mount namespace, sorted. */
export function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter(Boolean)
    .sort();
}

export function engineSnapshot(scope: LeakScope): Record<string, string[]> {
  const links = (JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[])
    .map((l) => l.ifname)
    .sort();
  return {
    mounts: mountPoints().filter((m) => !scope.storageMounts?.includes(m)),
    links,
    netns: list('/run/netns'),
    groups: groupsUnder(scope.cgroupParent, scope.engineGroups),
    states: ['/run/runc', '/run/crun', '/run/ctrun'].flatMap((d) => list(d).map((id) => `${d}/${id}`)),
    processes: processesNaming(scope.dir, [process.pid, ...(scope.daemons?.() ?? [])]),
  };
}

/**
 * Registers the leak check: snapshot before the suite's first case, the same after every case. The host gets
 * up to 5 s to settle: conmon runs podman's `container cleanup` as the container's exit command, and a shim
 * removes its socket, after the command the test waited for has returned.
 */
export function expectNothingLeaked(scope: LeakScope): void {
  let before: Record<string, string[]>;
  beforeAll(() => {
    before = engineSnapshot(scope);
  });
  afterEach(async () => {
    const deadline = Date.now() + 5000;
    let now = engineSnapshot(scope);
    while (!isDeepStrictEqual(now, before) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = engineSnapshot(scope);
    }
    expect(now).toEqual(before);
  });
}
