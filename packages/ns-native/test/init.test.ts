// init.test.ts — `init: true`: ctr-init runs from a sealed memfd as PID 1, reaps orphans, forwards signals
// and passes the command's status on. Each behaviour is checked against a control without init where the
// kernel rule (orphans go to PID 1; PID 1 ignores unhandled signals) makes the difference visible.
import { beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { childrenOf, commandBecomes, processExists, runSh, shOptions, useSandbox } from './helpers.js';

describe.skipIf(skipUnless('ctr-init is a working PID 1 inside a real PID namespace', { root: isRoot }))(
  'spawnContainer with init',
  () => {
    const sandbox = useSandbox();
    const tracker = sandbox.tracker;
    let rootfs: string;
    beforeAll(() => {
      rootfs = sandbox.rootfs;
    });

    it('runs ctr-init as PID 1 from a sealed memfd and propagates the exit status', async () => {
      const { output, status } = await runSh(
        tracker,
        rootfs,
        'echo $$; readlink /proc/1/exe; (echo x >> /proc/1/exe) 2>/dev/null && echo wrote || echo sealed; exit 7',
        { init: true },
      );
      expect(output.trim().split('\n')).toEqual(['2', '/memfd:ctr-init (deleted)', 'sealed']);
      expect(status).toEqual({ exitCode: 7, signal: null });
    });

    it('reaps orphans (without init they stay zombies under PID 1)', async () => {
      // The inner sh backgrounds a short sleep and exits: the sleep is re-parented to PID 1 of the namespace.
      // Then the outer shell becomes `sleep 1`, which never reaps.
      const script = 'sh -c "sleep 0.1 &"; exec sleep 1';
      const zombiesUnder = async (init: boolean) => {
        const c = tracker.spawn({ ...shOptions(rootfs, script, 1, 2), init });
        c.start();
        await sleep(500);
        // With init, the orphan's parent is ctr-init (c.pid); without, the exec'd sleep (also c.pid).
        const zombies = childrenOf(c.pid).filter((p) => p.state === 'Z').length;
        const status = await c.wait();
        return { zombies, status };
      };
      expect(await zombiesUnder(false)).toEqual({ zombies: 1, status: { exitCode: 0, signal: null } });
      expect(await zombiesUnder(true)).toEqual({ zombies: 0, status: { exitCode: 0, signal: null } });
    });

    it('forwards SIGTERM to the command (PID 1 without init ignores it)', async () => {
      const sleeper = { ...shOptions(rootfs, '', 1, 2), argv: ['sleep', '30'], execCandidates: ['/usr/bin/sleep'] };
      const bare = tracker.spawn(sleeper);
      bare.start();
      bare.kill('SIGTERM');
      await sleep(200);
      expect(bare.exitStatus).toBeUndefined();
      expect(processExists(bare.pid)).toBe(true);

      const withInit = tracker.spawn({ ...sleeper, init: true });
      withInit.start();
      // Before ctr-init blocks its signals, PID 1 would drop SIGTERM like any other init without a handler.
      await commandBecomes(withInit.pid, 'sleep');
      expect(withInit.kill('SIGTERM')).toBe(true);
      expect(await withInit.wait()).toEqual({ exitCode: 128 + 15, signal: null });
    });

    it('reports a missing command through start(), as without init', () => {
      const c = tracker.spawn({
        ...shOptions(rootfs, '', 1, 2),
        argv: ['nope'],
        execCandidates: ['/usr/bin/nope', '/bin/nope'],
        init: true,
      });
      expect(() => c.start()).toThrow(
        expect.objectContaining({ code: 'ENOENT', syscall: 'execve', stage: 'exec', path: 'nope' }),
      );
      expect(processExists(c.pid)).toBe(false);
    });

    it('lets neither the memfd nor the error pipe reach the command', async () => {
      const { output } = await runSh(tracker, rootfs, 'ls /proc/self/fd; ls /proc/1/fd', { init: true });
      const [self, init] = [output.trim().split('\n').slice(0, 4), output.trim().split('\n').slice(4)];
      expect(self.map(Number)).toEqual([0, 1, 2, 3]);
      expect(init.map(Number)).toEqual([0, 1, 2]);
    });
  },
);
