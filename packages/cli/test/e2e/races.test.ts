// races.test.ts — two ctr commands racing on one thing: the same --name, the same static --ip, stop + rm -f of
// one container, exec + stop of one container. One wins cleanly, the other fails with one clear line (or
// finds the work done), and nothing is left: each command is checked by the helper, the host after each test.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { ctr, defaultRootfs, expectNothingLeaked, type CtrResult } from '../helpers.js';

/** The loser's error: one line naming `what`, status 125 (1 for a verb on NAMEs, as docker's). */
function expectClearError(r: CtrResult, what: string, code = 125): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(what);
}

describe.skipIf(skipUnless('ctr commands racing', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('ctr: racing commands', () => {
  expectNothingLeaked();

  it('two run -d with the same --name: one runs, the other is refused; ten times', async () => {
    for (let i = 0; i < 10; i++) {
      const both = await Promise.all([0, 1].map(() => ctr(['run', '-d', '--name', 'race-name', defaultRootfs, 'sleep', '100'])));
      try {
        expect(both.map((r) => r.code).sort()).toEqual([0, 125]);
        expectClearError(both.find((r) => r.code !== 0)!, '"race-name" is already in use');
      } finally {
        expect((await ctr(['rm', '-f', 'race-name'])).code).toBe(0);
      }
    }
  }, 60_000);

  it('two run -d with the same static --ip: one gets it, the other is refused naming it; ten times', async () => {
    for (let i = 0; i < 10; i++) {
      const both = await Promise.all(['race-ip-a', 'race-ip-b'].map((n) => ctr(['run', '-d', '--name', n, '--ip', '10.88.0.77', defaultRootfs, 'sleep', '100'])));
      try {
        expect(both.map((r) => r.code).sort()).toEqual([0, 125]);
        expectClearError(both.find((r) => r.code !== 0)!, '10.88.0.77');
      } finally {
        const names = both.filter((r) => r.code === 0).map((r) => r.stdout.trim());
        for (const n of names) expect((await ctr(['rm', '-f', n])).code).toBe(0);
      }
    }
  }, 60_000);

  it('stop and rm -f of one container at once: rm removes it, stop stops it or finds it gone', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await ctr(['run', '-d', '--name', 'race-stop', defaultRootfs, 'sleep', '100'])).code).toBe(0);
      const [stop, rm] = await Promise.all([ctr(['stop', '-t', '1', 'race-stop']), ctr(['rm', '-f', 'race-stop'])]);
      expect(rm.code, rm.stderr).toBe(0);
      if (stop.code !== 0) expectClearError(stop, 'race-stop', 1);
      expect((await ctr(['ps', '-a'])).stdout).not.toContain('race-stop');
    }
  }, 60_000);

  it('exec and stop of one container at once: the stop wins, the exec ends with its container', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await ctr(['run', '-d', '--name', 'race-exec', defaultRootfs, 'sleep', '100'])).code).toBe(0);
      const [exec, stop] = await Promise.all([
        ctr(['exec', 'race-exec', 'sleep', '100'], { timeoutMs: 15_000 }),
        ctr(['stop', '-t', '1', 'race-exec']),
      ]);
      expect(stop.code, stop.stderr).toBe(0);
      // Killed with its container's PID namespace (137), or refused once the container stopped.
      if (exec.code !== 137) expectClearError(exec, 'race-exec');
      expect((await ctr(['rm', 'race-exec'])).code).toBe(0);
    }
  }, 90_000);
});
