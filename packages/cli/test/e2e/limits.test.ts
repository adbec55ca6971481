// limits.test.ts — `--cpus`, `--memory` and `--pids-limit` on the real cgroup controllers of this host, each
// effect measured: CPU share from the container cgroup's own accounting, the OOM kill and its report, the
// process cap; `ctr stats` shows limits and usage; no cgroup survives.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { cliPath, ctr, defaultRootfs, expectNothingLeaked, measureCores, startContainer } from '../helpers.js';

async function cpuRun(name: string, extra: string[]): Promise<number> {
  const run = await startContainer(name, ['--net', 'none', ...extra, defaultRootfs, 'threads-cpu', '2'], 'All threads are created');
  try {
    return await measureCores(run.entry.cgroup!, 3);
  } finally {
    await run.stop();
  }
}

describe.skipIf(skipUnless('ctr resource limits end to end', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('ctr run: limits', () => {
  expectNothingLeaked();

  it('--cpus 0.5 holds threads-cpu 2 to half a core; without a limit it gets more than 1.5', async () => {
    const limited = await cpuRun('lim-cpu', ['--cpus', '0.5']);
    expect(limited).toBeGreaterThan(0.45);
    expect(limited).toBeLessThan(0.55);
    const free = await cpuRun('lim-cpu-free', []);
    expect(free).toBeGreaterThan(1.5);
  }, 60_000);

  it('--memory 64m: the hog is OOM-killed, ctr says so and exits 137', async () => {
    const r = await ctr(['run', '--net', 'none', '--memory', '64m', defaultRootfs, 'mem-hog', '--step', '8m', '--max', '512m'], { timeoutMs: 60_000 });
    expect(r.code).toBe(137);
    expect(r.stderr.trim()).toBe('ctr: out of memory: limit 64 MiB');
    const last = r.stdout.trim().split('\n').pop()!;
    const mib = Number(/allocated (\d+) MiB/.exec(last)?.[1]);
    expect(mib).toBeGreaterThan(0);
    expect(mib).toBeLessThanOrEqual(64);
  }, 60_000);

  it('--pids-limit 32 caps a fork bomb at 32 processes', async () => {
    const r = await ctr(['run', '--net', 'none', '--pids-limit', '32', defaultRootfs, 'fork-bomb', '--max', '1000'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const forked = Number(/forked (\d+) children/.exec(r.stdout)?.[1]);
    // the bomb itself is one of the 32
    expect(forked).toBe(31);
    expect(r.stdout).toMatch(/stopped: fork failed/);
  }, 60_000);

  it('ctr stats --no-stream --json shows the limits and non-zero usage', async () => {
    const run = await startContainer('lim-stats', ['--net', 'none', '--cpus', '1', '--memory', '128m', '--pids-limit', '50', defaultRootfs, 'threads-cpu', '1'], 'All threads are created');
    await new Promise((r) => setTimeout(r, 1000));
    const r = await ctr(['stats', '--no-stream', '--json', 'lim-stats']).finally(() => run.stop());
    expect(r.code).toBe(0);
    const [row] = JSON.parse(r.stdout);
    expect(row.name).toBe('lim-stats');
    expect(row.cpuPercent).toBeGreaterThan(50);
    expect(row.memory.limit).toBe(128 * 2 ** 20);
    expect(row.memory.usage).toBeGreaterThan(0);
    expect(row.pids).toEqual({ current: expect.any(Number), limit: 50 });
    expect(row.pids.current).toBeGreaterThan(0);
    expect(row.limits).toMatchObject({ cpus: 1, memory: 128 * 2 ** 20, pids: 50 });
  }, 60_000);

  it('a ctr command run from another cgroup still finds and removes a killed run\'s groups', async () => {
    // A sibling of our own memory cgroup holds the process of the second command, as another login session
    // would: the group of the container must be found where its `ctr run` was, not below the caller.
    const own = /^\d+:memory:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))![1]!;
    const other = path.join('/sys/fs/cgroup/memory', own, `ctr-test-other-${process.pid}`);
    mkdirSync(other);
    try {
      const run = await startContainer('lim-orphan', ['--net', 'none', '--memory', '64m', defaultRootfs, 'sleep', '30']);
      const groupDir = path.join('/sys/fs/cgroup/memory', own, run.entry.cgroup!);
      expect(existsSync(groupDir)).toBe(true);
      await run.kill('SIGKILL');
      const ps = spawnSync('sh', ['-c', `echo $$ > ${other}/cgroup.procs && exec "$0" "$1" ps`, process.execPath, cliPath], { encoding: 'utf8' });
      expect(ps.status, ps.stderr).toBe(0);
      expect(existsSync(groupDir)).toBe(false);
    } finally {
      rmdirSync(other);
    }
  }, 60_000);

  const bad: [string, string[], RegExp][] = [
    ['a malformed size', ['--memory', '10xb'], /invalid --memory "10xb"/],
    ['a negative size', ['--memory', '-5m'], /invalid --memory/],
    ['an absurdly small memory limit', ['--memory', '1k'], /invalid --memory/],
    ['--cpus 0', ['--cpus', '0'], /invalid --cpus/],
    ['more CPUs than the host has', ['--cpus', '4096'], /invalid --cpus.*host has/],
    ['--pids-limit -2', ['--pids-limit', '-2'], /invalid --pids-limit/],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what} in one line with exit 125, creating nothing`, async () => {
      const r = await ctr(['run', '--net', 'none', ...args, defaultRootfs, 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
