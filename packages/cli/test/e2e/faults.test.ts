// faults.test.ts — SIGKILL of ctr at every named stop point (src/runtime/stop-points.ts) of create, start,
// network setup, foreground wait, exec, stop, rm and the sweep, under each way of reaching it (foreground run on
// the bridge with limits, --net none, run -d, create, start, exec, stop, rm -f, rm of a stopped container).
// ctr blocks at the point (CTR_TEST_STOP_AT) and is killed there, then one ordinary ctr command runs, and the
// host must be as before: no veth, cgroup (any controller), mount, writable layer, state file, lease or shim
// left — except a container that ran before the kill under its own ctr-shim, which must still run (then
// `rm -f` removes it, and the host is compared again). The last test kills ctr at several points and lets only
// the sweep (the library's sweepStale, in a process of its own) clean up.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { stopPoints, type StopPoint } from '../../src/runtime/stop-points.js';
import { cliPath, ctr, defaultRootfs, expectNothingLeaked, host, hostSnapshot, settledSnapshot, type CtrResult } from '../helpers.js';

const limits = ['--memory', '64m', '--cpus', '0.5', '--pids-limit', '50'];
const createPoints: StopPoint[] = [
  'create:validated', 'create:swept', 'create:name-reserved', 'create:state-dir', 'create:layer', 'create:cgroup',
  'create:spawned', 'create:recorded',
];
const networkPoints: StopPoint[] = ['network:lease', 'network:veth'];
const removalPoints: StopPoint[] = ['release:cgroup', 'release:network', 'rm:layer-removed'];

interface Case {
  point: StopPoint;
  /** what reaches the point */
  how: string;
  /** makes what the killed command acts on; returns the container's name */
  setup?: (name: string) => Promise<void>;
  command: (name: string) => string[];
  /** the container existed before the kill: it must still be there, in this state, afterwards */
  survives?: 'running' | 'created' | 'stopped';
}

const detached = (extra: string[] = [], cmd = ['sleep', '1000']) => async (name: string): Promise<void> => {
  const r = await ctr(['run', '-d', '--name', name, ...limits, ...extra, defaultRootfs, ...cmd]);
  expect(r.code, r.stderr).toBe(0);
};

/**
 * A detached container whose command (`true`) ended, its shim gone, and no ctr command run since: nothing
 * released it yet (`ctr wait` would, by its own sweep).
 */
const stoppedByItself = async (name: string): Promise<void> => {
  await detached([], ['true'])(name);
  const { shimPid } = JSON.parse(readFileSync(`/run/ctr/containers/${name}.json`, 'utf8')) as { shimPid: number };
  const deadline = Date.now() + 10_000;
  while (existsSync(`/proc/${shimPid}/stat`) && !/^\S+ \(ctr-shim\) Z/.test(readFileSync(`/proc/${shimPid}/stat`, 'utf8'))) {
    if (Date.now() > deadline) throw new Error(`the shim of ${name} never ended`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const cases: Case[] = [
  ...[...createPoints, ...networkPoints, 'start:started', 'start:running', 'run:waiting', 'run:exited', ...removalPoints].map(
    (point): Case => ({ point: point as StopPoint, how: 'foreground run on the bridge with limits', command: (n) => ['run', '--name', n, ...limits, defaultRootfs, 'true'] }),
  ),
  ...[...createPoints, 'start:started', 'start:running', 'run:waiting', 'run:exited', 'release:cgroup', 'rm:layer-removed'].map(
    (point): Case => ({ point: point as StopPoint, how: 'foreground run --net none', command: (n) => ['run', '--name', n, '--net', 'none', defaultRootfs, 'true'] }),
  ),
  ...[...createPoints, ...networkPoints, 'start:started', 'start:running'].map(
    (point): Case => ({
      point: point as StopPoint,
      how: 'run -d',
      command: (n) => ['run', '-d', '--name', n, ...limits, defaultRootfs, 'sleep', '1000'],
      ...(point.startsWith('start:') ? { survives: 'running' as const } : {}),
    }),
  ),
  ...[...createPoints, ...networkPoints].map(
    (point): Case => ({
      point,
      how: 'create',
      command: (n) => ['create', '--name', n, ...limits, defaultRootfs, 'sleep', '1000'],
      ...(point === 'create:recorded' ? { survives: 'created' as const } : {}),
    }),
  ),
  {
    point: 'start:requested',
    how: 'start of a created container',
    setup: async (n) => expect((await ctr(['create', '--name', n, defaultRootfs, 'sleep', '1000'])).code).toBe(0),
    command: (n) => ['start', n],
    survives: 'created',
  },
  ...(['exec:spawned', 'exec:started'] as const).map((point): Case => ({
    // The program lets go of ctr's stdout and stderr: the killed command's output ends with ctr.
    point, how: 'exec', setup: detached(), command: (n) => ['exec', n, 'sh', '-c', 'exec sleep 1000 >/dev/null 2>&1'], survives: 'running',
  })),
  // sleep as PID 1 has no SIGTERM handler: the stop waits out its grace period, and is killed within it.
  { point: 'stop:signalled', how: 'stop', setup: detached(), command: (n) => ['stop', '-t', '60', n], survives: 'running' },
  ...(['rm:killed', ...removalPoints] as const).map((point): Case => ({
    point, how: 'rm -f of a running container', setup: detached(), command: (n) => ['rm', '-f', n],
  })),
  { point: 'rm:layer-removed', how: 'rm of a stopped container', setup: stoppedByItself, command: (n) => ['rm', n] },
  // A detached container that stopped by itself has nobody to release it but the next command's sweep; it
  // stays listed (stopped) for ps -a, logs and inspect.
  ...(['release:cgroup', 'release:network', 'sweep:released'] as const).map((point): Case => ({
    point, how: 'the sweep of ps, for a detached container that stopped by itself', setup: stoppedByItself, command: () => ['ps', '-a'], survives: 'stopped',
  })),
  {
    point: 'sweep:released',
    how: 'the sweep of ps, after a foreground run was killed while it ran',
    setup: async (n) => {
      await killAt('run:waiting', ['run', '--name', n, defaultRootfs, 'sleep', '1000']);
    },
    command: () => ['ps', '-a'],
  },
];

/** Runs ctr with CTR_TEST_STOP_AT=point and SIGKILLs it once it reports the point; fails if it never does. */
async function killAt(point: StopPoint, args: string[]): Promise<CtrResult> {
  let reached = false;
  const r = await ctr(args, {
    env: { ...process.env, CTR_TEST_STOP_AT: point },
    leftoversAllowed: true,
    timeoutMs: 15_000,
    onSpawn: (child) => {
      let err = '';
      child.stderr!.on('data', (d) => {
        err += d;
        if (!reached && err.includes(`ctr: stop point ${point}\n`)) {
          reached = true;
          child.kill('SIGKILL');
        }
      });
    },
  });
  expect(reached, `ctr ${args.join(' ')} never reached ${point}: exit ${r.code}, ${r.stderr}`).toBe(true);
  expect(r.signal).toBe('SIGKILL');
  return r;
}

interface Listed {
  name: string;
  status: string;
}

describe.skipIf(skipUnless('SIGKILL of ctr at every stop point', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('ctr killed at any step', () => {
  expectNothingLeaked();
  let kills = 0;
  afterAll(() => {
    // The figure for the README's Reliability section.
    console.log(`fault injection: ${kills} SIGKILLs at ${stopPoints.length} stop points, 0 leftovers`);
  });

  it('every stop point is reached by at least one case', () => {
    expect(stopPoints.filter((p) => !cases.some((c) => c.point === p))).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  cases.forEach((c, i) => {
    it(`${c.how}, killed at ${c.point}: the next command leaves nothing${c.survives ? `, the container stays ${c.survives}` : ''}`, async () => {
      const name = `fault-${i}`;
      const clean = hostSnapshot();
      await c.setup?.(name);
      await killAt(c.point, c.command(name));
      kills++;
      const ps = await ctr(['ps', '-a', '--json']);
      expect(ps.code, ps.stderr).toBe(0);
      const listed = (JSON.parse(ps.stdout) as Listed[]).filter((x) => x.name === name);
      if (c.survives) {
        expect(listed.map((x) => x.status)).toEqual([c.survives]);
        const rm = await ctr(['rm', '-f', name]);
        expect(rm.code, rm.stderr).toBe(0);
      } else {
        expect(listed).toEqual([]);
      }
      expect(await settledSnapshot(clean)).toEqual(clean);
    }, 40_000);
  });

  it('the sweep alone (sweepStale, no other command) releases what ctr killed at several steps left', async () => {
    const clean = hostSnapshot();
    const points: StopPoint[] = ['create:cgroup', 'network:lease', 'network:veth', 'run:waiting', 'release:cgroup'];
    for (const [i, point] of points.entries()) {
      await killAt(point, ['run', '--name', `sweep-${i}`, ...limits, defaultRootfs, 'true']);
      kills++;
    }
    expect(hostSnapshot()).not.toEqual(clean);
    const sweep = await host(process.execPath, ['--input-type=module', '-e', `import { sweepStale } from '${path.join(path.dirname(cliPath), 'index.js')}'; await sweepStale();`]);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(await settledSnapshot(clean, { sweep: false })).toEqual(clean);
  }, 60_000);
});
