// devices.test.ts — the device allow-list through the real `ctr run` on this cgroup v1 host. Root inside a
// default container keeps CAP_MKNOD, so it can make a node for /dev/kvm, a tty, /dev/mem or the host's root
// disk — and the device cgroup must refuse to open it (EPERM) while the container's own /dev works.
// `--device` adds one host device, `--privileged` allows all, `ctr ps --json` shows the rules, bad `--device`
// values are one line and exit 125. Opens are proven with character devices: this sandbox refuses to open
// block devices even to host root, so the root disk case shows only that the node is made and not opened.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTAINER_CONTROLLERS, createCgroupManager, detectCgroupSetup } from '@ctr/cgroups';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { describe, expect, it } from 'vitest';
import { forbiddenNodes, parseProbe, probeScript, rootDisk } from '../device-probe.js';
import { ctr, defaultRootfs, expectNothingLeaked, startContainer } from '../helpers.js';

const EPERM = 'Operation not permitted';
const run = async (flags: string[], script: string) => {
  const r = await ctr(['run', '--net', 'none', ...flags, defaultRootfs, 'sh', '-c', script]);
  expect(r.code, r.stderr).toBe(0);
  return parseProbe(r.stdout);
};
const v1Devices = (() => {
  try {
    return detectCgroupSetup().hierarchies.some((h) => h.version === 1 && h.controllers.includes('devices'));
  } catch {
    return false;
  }
})();

describe.skipIf(skipUnless('ctr device allow-list end to end', {
  root: isRoot, 'rootfs/default with mknod': existsSync(path.join(defaultRootfs, 'usr/bin/mknod')),
  '/dev/fuse, /dev/tty1 and /dev/loop0': ['/dev/fuse', '/dev/tty1', '/dev/loop0'].every((p) => existsSync(p)),
}))('ctr run: devices', () => {
  expectNothingLeaked();

  it('by default root inside may mknod kvm, tty1, /dev/mem and the root disk but not open them', async () => {
    const results = await run([], probeScript(forbiddenNodes()));
    for (const node of forbiddenNodes()) {
      expect(results.get(node.name), node.name).toEqual({ mknod: 'ok', open: EPERM });
    }
    expect(rootDisk().major).toBeGreaterThan(0);
  });

  it('the container’s own /dev works: null, zero, full, urandom open read-write, /dev/tty reaches its driver', async () => {
    const results = await run([], probeScript([], ['/dev/null', '/dev/zero', '/dev/full', '/dev/urandom', '/dev/random', '/dev/tty']));
    for (const p of ['/dev/null', '/dev/zero', '/dev/full', '/dev/urandom', '/dev/random']) expect(results.get(p)?.open, p).toBe('ok');
    // no controlling terminal here: the tty driver answers ENXIO, which it can only do once the cgroup let the open through
    expect(results.get('/dev/tty')?.open).toBe('No such device or address');
  });

  it('--device /dev/fuse makes it openable, and only it; :r allows reading but not writing', async () => {
    const fuse = await run(['--device', '/dev/fuse'], probeScript([forbiddenNodes()[0]!], ['/dev/fuse']));
    expect(fuse.get('/dev/fuse')?.open).toBe('ok');
    expect(fuse.get('kvm')?.open).toBe(EPERM);
    const script = `ls -ln /dev/net/console1 && ${probeScript([], ['/dev/net/console1'], 'r')} && ${probeScript([], ['/dev/net/console1'])}`;
    const r = await ctr(['run', '--net', 'none', '--device', '/dev/tty1:/dev/net/console1:r', defaultRootfs, 'sh', '-c', script]);
    expect(r.stdout).toMatch(/^crw------- 1 0 0 4, 1 .* \/dev\/net\/console1$/m);
    const [readOnly, readWrite] = r.stdout.split('\n').filter((l) => l.startsWith('/dev/net/console1 open='));
    expect(readOnly).toBe('/dev/net/console1 open=ok');
    expect(readWrite).toMatch(/open=.*Operation not permitted$/);
  });

  it('--device of a block device makes a block node with its numbers (this sandbox refuses opening block devices)', async () => {
    const r = await ctr(['run', '--net', 'none', '--device', '/dev/loop0:/dev/xvda:r', defaultRootfs, 'ls', '-ln', '/dev/xvda']);
    expect(r.stdout).toMatch(/^brw------- 1 0 0 7, 0 .* \/dev\/xvda$/m);
  });

  it('--privileged allows every device: the kvm and tty1 nodes open', async () => {
    const results = await run(['--privileged'], probeScript(forbiddenNodes().slice(0, 2)));
    expect(results.get('kvm')).toEqual({ mknod: 'ok', open: 'ok' });
    expect(results.get('tty1')).toEqual({ mknod: 'ok', open: 'ok' });
  });

  it('ctr ps --json shows the rules, and the kernel holds the same list in the container’s devices cgroup', async () => {
    const c = await startContainer('dev-ps', ['--net', 'none', '--init', '--device', '/dev/fuse:/dev/fuse:rw', defaultRootfs, 'sleep', '30']);
    const p = await startContainer('dev-ps-priv', ['--net', 'none', '--init', '--privileged', defaultRootfs, 'sleep', '30']);
    try {
      const ps = JSON.parse((await ctr(['ps', '--json'])).stdout) as { name: string; cgroup: string; cgroupOwner: string; security: { devices: string[] } }[];
      const entry = ps.find((e) => e.name === 'dev-ps')!;
      expect(entry.security.devices).toEqual([
        'deny a *:* rwm',
        ...['1:3', '1:5', '1:7', '1:8', '1:9', '5:0', '5:1', '5:2', '136:*'].map((n) => `allow c ${n} rwm`),
        'allow c *:* m',
        'allow b *:* m',
        'allow c 10:229 rw',
      ]);
      expect(ps.find((e) => e.name === 'dev-ps-priv')?.security.devices).toEqual(['allow a *:* rwm']);
      if (v1Devices) {
        const group = createCgroupManager({ path: entry.cgroup, procCgroupText: entry.cgroupOwner, controllers: CONTAINER_CONTROLLERS });
        const list = readFileSync(path.join(group.paths.devices!, 'devices.list'), 'utf8').trim().split('\n');
        expect(list).toEqual(entry.security.devices.slice(1).map((r) => r.replace(/^allow /, '')));
      }
    } finally {
      await c.stop();
      await p.stop();
    }
  });

  it.each([
    [['--device', '/dev/nope'], /^ctr: invalid --device "\/dev\/nope": "\/dev\/nope" does not exist on the host \(ENOENT\)\n$/],
    [['--device', '/etc/hostname'], /is not a character or block device/],
    [['--device', '/dev/fuse:rwx'], /permissions "rwx" must be a combination of r, w and m/],
    [['--device', '/dev/fuse:/tmp/fuse'], /the container path "\/tmp\/fuse" must be a plain absolute path below \/dev/],
    [['--device', '/dev/fuse:/dev/pts/9'], /ctr sets up \/dev\/pts\/9 itself/],
    [['--device', 'dev/fuse'], /"dev\/fuse" must be an absolute host path/],
    [['--device', '/dev/fuse', '--device', '/dev/tty1:/dev/fuse'], /\/dev\/fuse is given twice/],
  ])('refuses %j with one line and exit 125', async (flags, message) => {
    const r = await ctr(['run', '--net', 'none', ...flags, defaultRootfs, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
