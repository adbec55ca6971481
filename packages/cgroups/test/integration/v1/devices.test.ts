// Integration tests of device rules on this machine's cgroup v1 `devices` hierarchy: the kernel's own
// devices.list after apply, and what a process in the group may open (the kernel answers EPERM for a node the
// rules deny, whatever the file mode says). Character devices only: this sandbox refuses to open block devices
// even to host root. Needs root; groups live below a per-run `ctr-test-<pid>` group, proven gone in afterAll.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  ALLOW_ALL, CONTAINER_CONTROLLERS, createCgroupManager, DEFAULT_DEVICE_RULES, detectCgroupSetup, type CgroupManager,
} from '../../../src/index.js';
import { killChildren } from '../../children.js';
import { runInGroup as inGroup, TEST_ROOT, testGroups } from '../groups.js';

const devicesMount = (() => {
  try {
    return detectCgroupSetup().hierarchies.find((h) => h.version === 1 && h.controllers.includes('devices'))?.mountpoint;
  } catch {
    return undefined;
  }
})();
const { group, destroyAll } = testGroups(CONTAINER_CONTROLLERS);
const list = (m: CgroupManager) => fs.readFileSync(path.join(m.paths.devices!, 'devices.list'), 'utf8').trim().split('\n');

describe.skipIf(skipUnless('device rules in the cgroup v1 devices controller', {
  root: isRoot, 'cgroup v1 devices': devicesMount !== undefined, '/dev/kvm and /dev/tty1': fs.existsSync('/dev/kvm') && fs.existsSync('/dev/tty1'),
}))('cgroup v1 devices on this machine', () => {
  afterEach(async () => {
    killChildren();
    await destroyAll();
  });
  afterAll(async () => {
    await createCgroupManager({ path: TEST_ROOT, controllers: CONTAINER_CONTROLLERS }).destroy();
    expect(fs.existsSync(path.join(devicesMount!, TEST_ROOT))).toBe(false);
  });

  it('a new group inherits allow-all from its parent until the rules are applied', () => {
    expect(list(group('fresh'))).toEqual(['a *:* rwm']);
  });

  it('applies the default list: the kernel lists exactly the allowed nodes, then denies opening the rest', async () => {
    const manager = group('default');
    manager.apply({ devices: DEFAULT_DEVICE_RULES });
    expect(list(manager)).toEqual([
      ...['1:3', '1:5', '1:7', '1:8', '1:9', '5:0', '5:1', '5:2', '136:*'].map((n) => `c ${n} rwm`),
      'c *:* m',
      'b *:* m',
    ]);
    expect(await inGroup(manager, 'exec 3</dev/null 4>/dev/zero 5</dev/urandom')).toMatchObject({ code: 0 });
    for (const node of ['/dev/kvm', '/dev/tty1', '/dev/fuse']) {
      const r = await inGroup(manager, `exec 3<${node}`);
      expect(r.code, node).not.toBe(0);
      expect(r.stderr, node).toMatch(/Operation not permitted/);
    }
  });

  it('re-applying switches the list: privileged allows everything again', async () => {
    const manager = group('privileged');
    manager.apply({ devices: DEFAULT_DEVICE_RULES });
    manager.apply({ devices: [ALLOW_ALL] });
    expect(list(manager)).toEqual(['a *:* rwm']);
    expect(await inGroup(manager, 'exec 3</dev/kvm 4</dev/tty1')).toMatchObject({ code: 0 });
  });

  it('an allow exception opens that node and no other', async () => {
    const manager = group('fuse');
    manager.apply({ devices: [...DEFAULT_DEVICE_RULES, { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }] });
    expect(await inGroup(manager, 'exec 3<>/dev/fuse')).toMatchObject({ code: 0 });
    expect((await inGroup(manager, 'exec 3</dev/kvm')).stderr).toMatch(/Operation not permitted/);
  });
});
