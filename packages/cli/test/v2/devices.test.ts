// devices.test.ts (v2) — the device allow-list through the real `ctr run` on a cgroup-v2-only kernel, where it
// is an eBPF program attached to the container's group: root inside may mknod kvm, tty1, /dev/mem and the
// root disk but not open them (EPERM), the container's own /dev works, `--device /dev/kmsg` opens that node,
// `--privileged` lets the kernel's device check pass, and no group is left. Runs only inside the qemu guest
// of scripts/test-cgroup-v2.sh (vitest.v2.config.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { describe, expect, it } from 'vitest';
import { isUnifiedHost } from '../cgroup-tree.js';
import { forbiddenNodes, parseProbe, probeScript } from '../device-probe.js';
import { ctr, defaultRootfs, expectNothingLeaked } from '../helpers.js';

// In the TCG guest a `ctr` invocation costs 5–10 s.
const CTR_TIMEOUT = 120_000;
const EPERM = 'Operation not permitted';

async function run(flags: string[], script: string) {
  const r = await ctr(['run', '--net', 'none', ...flags, defaultRootfs, 'sh', '-c', script], { timeoutMs: CTR_TIMEOUT });
  expect(r.code, r.stderr).toBe(0);
  return parseProbe(r.stdout);
}

describe.skipIf(skipUnless('ctr device allow-list on a cgroup v2 kernel (run: pnpm test:v2)', {
  root: isRoot, 'cgroup2 unified': isUnifiedHost, 'rootfs/default with mknod': existsSync(path.join(defaultRootfs, 'usr/bin/mknod')),
  '/dev/kmsg': existsSync('/dev/kmsg'),
}))('ctr run: devices on cgroup v2', () => {
  expectNothingLeaked();

  it('by default mknod works for kvm, tty1, mem and the root disk, opening them is EPERM; /dev/null and co work', async () => {
    const results = await run([], probeScript(forbiddenNodes(), ['/dev/null', '/dev/zero', '/dev/urandom']));
    for (const node of forbiddenNodes()) expect(results.get(node.name), node.name).toEqual({ mknod: 'ok', open: EPERM });
    for (const p of ['/dev/null', '/dev/zero', '/dev/urandom']) expect(results.get(p)?.open, p).toBe('ok');
  });

  it('--device /dev/kmsg:w makes c 1:11 openable for writing (reading needs CAP_SYSLOG), which it was not', async () => {
    const kmsg = { name: 'kmsg2', type: 'c' as const, major: 1, minor: 11 };
    const before = await run([], probeScript([kmsg], [], 'w'));
    expect(before.get('kmsg2')).toEqual({ mknod: 'ok', open: EPERM });
    const allowed = await run(['--device', '/dev/kmsg:w'], probeScript([], ['/dev/kmsg'], 'w'));
    expect(allowed.get('/dev/kmsg')?.open).toBe('ok');
  });

  it('--privileged: the kernel no longer refuses the kvm and tty1 nodes (the driver may still say ENXIO)', async () => {
    const results = await run(['--privileged'], probeScript(forbiddenNodes().slice(0, 2)));
    for (const name of ['kvm', 'tty1']) {
      expect(results.get(name)?.mknod, name).toBe('ok');
      expect(results.get(name)?.open, name).not.toBe(EPERM);
    }
  });
});
