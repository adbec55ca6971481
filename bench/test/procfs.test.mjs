// procfs.test.mjs — the /proc parsers on fixtures copied from real files, and the readers on this process.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuTimeNs, descendants, isAlive, isRunning, parentOf, parentsUntil, parsePidStat, parseProcStatCpu, parseSmapsRollup, pidNamespace } from '../src/procfs.mjs';

const smapsRollup = `55d0c2a5e000-7ffd1a5f2000 ---p 00000000 00:00 0                          [rollup]
Rss:               47352 kB
Pss:               27464 kB
Pss_Dirty:         18620 kB
Pss_Anon:          18604 kB
Shared_Clean:      20868 kB
Swap:                  0 kB
SwapPss:               0 kB
`;

describe('parsers', () => {
  it('reads Rss and Pss of smaps_rollup in bytes, not the Pss_* lines', () => {
    expect(parseSmapsRollup(smapsRollup)).toEqual({ rss: 47352 * 1024, pss: 27464 * 1024 });
  });
  it('fails loudly on a file without the fields', () => {
    expect(() => parseSmapsRollup('Size: 4 kB\n')).toThrow(/no Rss/);
  });
  it('reads the aggregate cpu line of /proc/stat, not cpu0', () => {
    const text = 'cpu  10 2 30 400 5 0 6 0 0 0\ncpu0 1 1 1 1 1 0 0 0 0 0\nintr 1\n';
    expect(parseProcStatCpu(text)).toEqual([10, 2, 30, 400, 5, 0, 6, 0, 0, 0]);
  });
  it('reads comm and ppid even when the name contains spaces and parentheses', () => {
    expect(parsePidStat('4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 ...')).toEqual({ comm: 'my (odd) name', state: 'S', ppid: 17 });
  });
});

describe('parentsUntil', () => {
  // container 500 under shim 400, orphaned to init; bench 300 under subreaper 200 under 1.
  const tree = new Map([[500, 400], [400, 1], [300, 200], [200, 1], [600, 200], [1, 0]]);
  const parent = (pid) => tree.get(pid);
  it('lists the supervisors above a container up to init, nearest first', () => {
    expect(parentsUntil(parent, 500, new Set())).toEqual([400]);
  });
  it('is empty for a container handed to init, and stops at a subreaper among the bench and its ancestors', () => {
    expect(parentsUntil(parent, 400, new Set())).toEqual([]);
    expect(parentsUntil(parent, 600, new Set([300, 200]))).toEqual([]);
    expect(parentsUntil(parent, 300, new Set())).toEqual([200]);
  });
  it('stops at a parent that is gone', () => {
    expect(parentsUntil(parent, 700, new Set())).toEqual([]);
  });
});

describe('readers on live processes', () => {
  it('reads the parent of a live process and of this one', () => {
    const child = spawn('/bin/sleep', ['5'], { stdio: 'ignore' });
    try {
      expect(parentOf(child.pid)).toBe(process.pid);
      expect(parentsUntil(parentOf, child.pid, new Set([process.ppid]))).toEqual([process.pid]);
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('finds a grandchild below this process and its CPU time grows while it spins', async () => {
    const child = spawn('/bin/sh', ['-c', 'sh -c "while :; do :; done" & wait'], { stdio: 'ignore' });
    try {
      let spinner;
      for (let i = 0; i < 100 && !spinner; i++) {
        await new Promise((r) => setTimeout(r, 20));
        spinner = descendants(child.pid)[0];
      }
      expect(spinner).toBeDefined();
      expect(descendants(process.pid).map((d) => d.pid)).toEqual(expect.arrayContaining([child.pid, spinner.pid]));
      const t0 = cpuTimeNs(spinner.pid);
      await new Promise((r) => setTimeout(r, 200));
      expect(cpuTimeNs(spinner.pid)).toBeGreaterThan(t0 + 20e6);
      expect(pidNamespace(spinner.pid)).toBe(pidNamespace('self'));
    } finally {
      for (const d of descendants(child.pid)) process.kill(d.pid, 'SIGKILL');
      child.kill('SIGKILL');
    }
  });
  it('tells a zombie (dead, not yet reaped) from a running process', async () => {
    // sh starts true, then becomes sleep, which never waits: true stays a zombie child of sleep.
    const child = spawn('/bin/sh', ['-c', '/bin/true & exec /bin/sleep 5'], { stdio: 'ignore' });
    try {
      let zombie;
      for (let i = 0; i < 100 && !zombie; i++) {
        await new Promise((r) => setTimeout(r, 20));
        zombie = descendants(child.pid).find((d) => d.comm === 'true');
      }
      expect(zombie).toBeDefined();
      for (let i = 0; i < 100 && isRunning(zombie.pid); i++) await new Promise((r) => setTimeout(r, 20));
      expect(isAlive(zombie.pid)).toBe(true);
      expect(isRunning(zombie.pid)).toBe(false);
      expect(isRunning(child.pid)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('returns undefined for a process that is gone', () => {
    expect(cpuTimeNs(2 ** 22 + 1)).toBeUndefined();
    expect(pidNamespace(2 ** 22 + 1)).toBeUndefined();
    expect(parentOf(2 ** 22 + 1)).toBeUndefined();
  });
});
