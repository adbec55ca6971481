// limits.test.ts (v2) — proofs 1–3 of the cgroups issue through the real `ctr run` on a cgroup-v2-only
// kernel: `--cpus 0.5` measured from the container cgroup's cpu.stat, the `--memory` OOM kill reported from
// memory.events, the `--pids-limit` cap on a fork bomb; each container's group is a leaf next to ctr's own
// cgroup, also when that cgroup holds processes (a systemd session scope), and is gone afterwards. This
// host is cgroup v1, so these run only inside the qemu guest of scripts/test-cgroup-v2.sh
// (vitest.v2.config.ts); the default config excludes this folder.
// See: cgroups(7), Documentation/admin-guide/cgroup-v2.rst (cpu.max, memory.events, pids.max).
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createCgroupManager } from '@ctr/cgroups';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { isUnifiedHost } from '../cgroup-tree.js';
import { cliPath, ctr, defaultRootfs, expectNothingLeaked, host, measureCores, startContainer } from '../helpers.js';

const isV2 = isUnifiedHost;

// In the TCG guest a `ctr` invocation costs 5–10 s (node start, addon load, clone), so every wait is long.
const CTR_TIMEOUT = 120_000;
const SECONDS = 4;

/** Our own v2 cgroup (`0::<path>` in /proc/self/cgroup; `/` in the guest), which the ctr we start shares. */
function ownCgroup(): string {
  return /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
}

/** Where ctr puts container groups on v2: `ctr/` next to its own cgroup (below the root when it runs there). */
function ctrGroupsDir(): string {
  return path.join('/sys/fs/cgroup', path.posix.dirname(ownCgroup()), 'ctr');
}

/** Container groups that exist now (hostSnapshot looks one level deeper, where v1 hierarchies are). */
function containerGroups(): string[] {
  const dir = ctrGroupsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

interface CpuRun {
  cores: number;
  /** cpu.max of the container's group, read while it ran */
  cpuMax: string;
}

/** Runs `threads-cpu 2` with `extra` flags, measures its cores over SECONDS, then stops it. */
async function cpuRun(name: string, extra: string[]): Promise<CpuRun> {
  const run = await startContainer(name, ['--net', 'none', ...extra, defaultRootfs, 'threads-cpu', '2'], 'All threads are created', CTR_TIMEOUT);
  try {
    const dir = path.join(ctrGroupsDir(), path.basename(run.entry.cgroup!));
    expect(readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')).toMatch(new RegExp(`^${run.entry.pid}$`, 'm'));
    const cpuMax = readFileSync(path.join(dir, 'cpu.max'), 'utf8').trim();
    return { cores: await measureCores(run.entry.cgroup!, SECONDS), cpuMax };
  } finally {
    await run.stop();
  }
}

const forkBombArgs = ['run', '--net', 'none', '--pids-limit', '32', defaultRootfs, 'fork-bomb', '--max', '1000'];

/** fork-bomb's report: the bomb itself is one of the 32, and fork(2) fails with EAGAIN at pids.max. */
function expectCappedAt32(stdout: string): void {
  expect(Number(/forked (\d+) children/.exec(stdout)?.[1])).toBe(31);
  expect(stdout).toMatch(/stopped: fork failed: Resource temporarily unavailable/);
}

describe.skipIf(skipUnless('ctr run limits on a cgroup v2 kernel (run: pnpm test:v2)', {
  root: isRoot, 'cgroup v2': isV2, 'rootfs/default': existsSync(defaultRootfs),
}))('ctr run: limits on cgroup v2', () => {
  expectNothingLeaked();
  afterEach(() => {
    expect(containerGroups()).toEqual([]);
  });

  it('--cpus 0.5 holds threads-cpu 2 to half a core; without a limit it gets clearly more', async () => {
    const limited = await cpuRun('v2-cpu', ['--cpus', '0.5']);
    expect(limited.cpuMax).toBe('50000 100000');
    expect(limited.cores).toBeGreaterThan(0.45);
    expect(limited.cores).toBeLessThan(0.55);
    const free = await cpuRun('v2-cpu-free', []);
    expect(free.cpuMax).toBe('max 100000');
    // The guest has V2G_SMP vCPUs (2 here) and also runs vitest and the waiting ctr under software emulation
    // (seen: 1.77–1.97 of 2), so the host test's "more than 1.5" becomes 75% of min(2, vCPUs): 1.5 with two
    // vCPUs, and with one still far above the limited 0.5, so an ignored cpu.max cannot pass.
    expect(free.cores).toBeGreaterThan(0.75 * Math.min(2, availableParallelism()));
    console.log(`cpu: limited ${limited.cores.toFixed(3)} cores, free ${free.cores.toFixed(3)} of ${availableParallelism()} vCPUs`);
  }, 4 * CTR_TIMEOUT);

  it('--memory 64m: the hog is OOM-killed, ctr says so and exits 137', async () => {
    const r = await ctr(['run', '--net', 'none', '--memory', '64m', defaultRootfs, 'mem-hog', '--step', '8m', '--max', '512m'], { timeoutMs: CTR_TIMEOUT });
    expect(r.stderr.trim()).toBe('ctr: out of memory: limit 64 MiB');
    expect(r.code).toBe(137);
    const last = r.stdout.trim().split('\n').pop()!;
    const mib = Number(/allocated (\d+) MiB/.exec(last)?.[1]);
    expect(mib).toBeGreaterThan(0);
    expect(mib).toBeLessThanOrEqual(64);
    console.log(`memory: last line "${last}"`);
  }, 2 * CTR_TIMEOUT);

  it('--pids-limit 32 caps a fork bomb at 32 processes', async () => {
    const r = await ctr(forkBombArgs, { timeoutMs: CTR_TIMEOUT });
    expect(r.code).toBe(0);
    expectCappedAt32(r.stdout);
  }, 2 * CTR_TIMEOUT);

  it('from a cgroup that holds processes (a session scope), the container group goes next to it, limited', async () => {
    // cgroup v2 forbids a non-root group with processes to enable controllers for children (EBUSY), so a
    // group below ctr's own scope could never get pids.max; it belongs in the slice around the scope.
    const sliceName = `ctr-v2-test-${process.pid}.slice`;
    const slice = path.join('/sys/fs/cgroup', ownCgroup(), sliceName);
    const scope = path.join(slice, 'session.scope');
    mkdirSync(scope, { recursive: true });
    try {
      const r = await host('sh', ['-c', `echo $$ > ${scope}/cgroup.procs && exec "$0" "$@"`, process.execPath, cliPath, ...forkBombArgs], CTR_TIMEOUT);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expectCappedAt32(r.stdout);
      expect(existsSync(path.join(slice, 'ctr'))).toBe(true);
      expect(existsSync(path.join(scope, 'ctr'))).toBe(false);
      expect(readdirSync(path.join(slice, 'ctr'), { withFileTypes: true }).filter((e) => e.isDirectory())).toEqual([]);
    } finally {
      await createCgroupManager({ path: sliceName, parent: ownCgroup() }).destroy();
    }
  }, 2 * CTR_TIMEOUT);
});
