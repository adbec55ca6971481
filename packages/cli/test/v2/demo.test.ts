// demo.test.ts (v2) — `ctr check` and a short `ctr demo` on a cgroup-v2-only kernel, inside the qemu guest of
// scripts/test-cgroup-v2.sh: check reports the layout as v2 with cpu, memory and pids on the unified
// hierarchy, and the namespace, hostname, process and limit claims hold there too (the limit step samples
// cpu.stat and memory.current through the same CgroupManager as on v1).
import { existsSync, statfsSync } from 'node:fs';
import { CGROUP2_SUPER_MAGIC } from '@ctr/cgroups';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { describe, expect, it } from 'vitest';
import { ctr, defaultRootfs, expectNothingLeaked } from '../helpers.js';

const isV2 = (() => {
  try {
    return Number(statfsSync('/sys/fs/cgroup').type) === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
})();

// In the TCG guest a `ctr` invocation costs 5–10 s; the demo's CPU runs take 8 s of their own.
const TIMEOUT = 200_000;

describe.skipIf(skipUnless('ctr check and ctr demo on a cgroup v2 kernel (run: pnpm test:v2)', {
  root: isRoot, 'cgroup v2': isV2, 'rootfs/default': existsSync(defaultRootfs),
}))('ctr check and ctr demo on cgroup v2', () => {
  expectNothingLeaked();

  it('ctr check reports the layout as v2, with cpu, memory and pids on /sys/fs/cgroup', async () => {
    const r = await ctr(['check', '--json'], { timeoutMs: TIMEOUT });
    const { findings } = JSON.parse(r.stdout) as { findings: { id: string; ok: boolean; found: string }[] };
    const byId = new Map(findings.map((f) => [f.id, f]));
    console.log(`ctr check (v2 guest): ${byId.get('cgroup-mode')!.found}`);
    expect(byId.get('cgroup-mode')!.found).toMatch(/^v2: v2 at \/sys\/fs\/cgroup \(/);
    for (const c of ['cpu', 'memory', 'pids']) expect(byId.get(`cgroup-${c}`)).toMatchObject({ ok: true, found: 'v2 at /sys/fs/cgroup' });
  }, TIMEOUT);

  it('ctr demo --only namespaces,hostname,processes,limits: every claim holds', async () => {
    const r = await ctr(['demo', '--only', 'namespaces,hostname,processes,limits', '--json'], { timeoutMs: TIMEOUT });
    const steps = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; ok: boolean; why: string[]; seconds: number; evidence: { host: string; container: string }[] });
    const limits = steps.find((s) => s.id === 'limits');
    console.log(`ctr demo (v2 guest): ${steps.map((s) => `${s.id} ${s.ok ? 'held' : 'FAILED'} ${s.seconds} s`).join(', ')}; ` +
      `${limits?.evidence.map((e) => `${e.host} | ${e.container}`).join('; ')}`);
    expect(steps.map((s) => [s.id, s.why])).toEqual([['namespaces', []], ['hostname', []], ['processes', []], ['limits', []]]);
    expect(r.code).toBe(0);
  }, TIMEOUT);
});
