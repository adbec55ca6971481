// load.test.ts — ctr under load, as a user would drive it: 100 rounds of 10 parallel foreground `ctr run`
// without --name (generated names must never collide into a failure), then rounds of 10 parallel `run -d`,
// `exec` into each, `rm -f` of all. Every command must succeed, the 10 detached containers of a round (all
// running at once) must hold 10 different addresses, and nothing may be left (each command is checked by the
// helper, the host compared at the end). Prints the total time and the host memory high-water mark (MemTotal -
// MemAvailable above the level before) for the README's Reliability section.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { ctr, defaultRootfs, expectNothingLeaked, hostSnapshot, settledSnapshot } from '../helpers.js';

const rounds = 100;
const detachedRounds = 10;
const parallel = 10;

/** Host memory in use (kB): what the kernel could not hand out now. */
function memoryInUse(): number {
  const info = readFileSync('/proc/meminfo', 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(info)![1]);
  return kb('MemTotal') - kb('MemAvailable');
}

describe.skipIf(skipUnless('ctr under load', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('ctr under load', () => {
  expectNothingLeaked();

  it(`${rounds} rounds of ${parallel} parallel run without --name, ${detachedRounds} rounds of run -d/exec/rm: no failure, no address conflict, nothing left`, async () => {
    const clean = hostSnapshot();
    const base = memoryInUse();
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryInUse())), 50);
    const t0 = Date.now();
    let failures = 0;
    let conflicts = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        const results = await Promise.all(
          Array.from({ length: parallel }, () => ctr(['run', defaultRootfs, 'true'], { timeoutMs: 60_000 })),
        );
        for (const r of results) if (r.code !== 0) failures++;
        expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
      }
      for (let round = 0; round < detachedRounds; round++) {
        const started = await Promise.all(
          Array.from({ length: parallel }, () => ctr(['run', '-d', defaultRootfs, 'sleep', '100'], { timeoutMs: 60_000 })),
        );
        const names = started.map((r) => r.stdout.trim());
        expect(started.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
        const execs = await Promise.all(names.map((n) => ctr(['exec', n, 'sh', '-c', 'ip -4 -o addr show dev eth0'])));
        expect(execs.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
        const addresses = execs.map((r) => /inet (\S+)\//.exec(r.stdout)?.[1]);
        conflicts += addresses.length - new Set(addresses).size;
        expect(new Set(addresses).size).toBe(parallel);
        const removed = await Promise.all(names.map((n) => ctr(['rm', '-f', n])));
        failures += [...started, ...execs, ...removed].filter((r) => r.code !== 0).length;
        expect(removed.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
      }
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - t0) / 1000;
    expect(await settledSnapshot(clean)).toEqual(clean);
    console.log(
      `load: ${rounds}x${parallel} run + ${detachedRounds}x${parallel} run -d/exec/rm -f in ${seconds.toFixed(1)} s; ` +
        `${failures} failures, ${conflicts} address conflicts, 0 leftovers; host memory high-water +${Math.round((peak - base) / 1024)} MiB`,
    );
  }, 900_000);
});
