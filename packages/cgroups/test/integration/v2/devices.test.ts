// Integration tests of device rules on a real cgroup v2 kernel (the qemu guest: `pnpm test:v2`): the eBPF
// program is loaded and attached to the group, the kernel runs it on every open and mknod of a device node by
// a process of the group, re-applying replaces it, no fd of ctr stays open for it, and it is freed with the
// group. Character devices only (open permission), nodes made in a temp dir with the host's numbers.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bpfProgGetFdById, closeFd } from '@ctr/ns-native';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deviceFilterIds } from '../../../src/fs.js';
import { ALLOW_ALL, CONTAINER_CONTROLLERS, createCgroupManager, DEFAULT_DEVICE_RULES, DENY_ALL } from '../../../src/index.js';
import { killChildren } from '../../children.js';
import { isUnifiedHost, runInGroup as inGroup, TEST_ROOT, testGroups } from '../groups.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const { group, destroyAll } = testGroups(CONTAINER_CONTROLLERS);
const openFds = () => fs.readdirSync('/proc/self/fd').map((fd) => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return '';
  }
}).filter((link) => link.includes('bpf'));

describe.skipIf(skipUnless('device rules as a cgroup v2 eBPF program (run: pnpm test:v2)', { root: isRoot, 'cgroup2 unified': isUnifiedHost }))(
  'cgroup v2 device filter on a real kernel',
  () => {
    // c 10:232 (kvm), c 4:1 (tty1), c 1:1 (mem): the guest may lack the real ones, a node is enough to ask
    const nodes = fs.mkdtempSync(path.join(os.tmpdir(), 'ctr-dev-'));
    for (const [name, major, minor] of [['kvm', 10, 232], ['tty1', 4, 1], ['mem', 1, 1], ['null', 1, 3]] as const) {
      execFileSync('mknod', ['-m', '666', path.join(nodes, name), 'c', String(major), String(minor)]);
    }
    afterEach(async () => {
      killChildren();
      await destroyAll();
    });
    afterAll(async () => {
      fs.rmSync(nodes, { recursive: true, force: true });
      await createCgroupManager({ path: TEST_ROOT, controllers: CONTAINER_CONTROLLERS }).destroy();
    });

    it('attaches one program that lets null through and denies kvm, tty1 and mem with EPERM; no bpf fd stays open', async () => {
      const before = openFds();
      const manager = group('default');
      manager.apply({ devices: DEFAULT_DEVICE_RULES });
      expect(deviceFilterIds(manager.paths.devices!)).toHaveLength(1);
      expect(openFds()).toEqual(before);
      expect(await inGroup(manager, `exec 3<${nodes}/null 4<>/dev/null 5</dev/urandom`)).toMatchObject({ code: 0 });
      for (const name of ['kvm', 'tty1', 'mem']) {
        const r = await inGroup(manager, `exec 3<${nodes}/${name}`);
        expect(r.stderr, name).toMatch(/Operation not permitted/);
      }
      // mknod is allowed for any number (only opening is not)
      expect(await inGroup(manager, `mknod ${nodes}/made c 10 232 && rm ${nodes}/made`)).toMatchObject({ code: 0 });
    });

    it('re-applying replaces the program, and the program is freed with its group', async () => {
      const manager = group('replace');
      manager.apply({ devices: [DENY_ALL] });
      const [first] = deviceFilterIds(manager.paths.devices!);
      expect((await inGroup(manager, `exec 3<${nodes}/null`)).stderr).toMatch(/Operation not permitted/);
      manager.apply({ devices: [ALLOW_ALL] });
      const ids = deviceFilterIds(manager.paths.devices!);
      expect(ids).toHaveLength(1);
      expect(ids[0]).not.toBe(first);
      expect(await inGroup(manager, `exec 3<${nodes}/null`)).toMatchObject({ code: 0 });
      // the guest may have no kvm driver (ENXIO), but the device check no longer refuses the node
      expect((await inGroup(manager, `exec 3<${nodes}/kvm`)).stderr).not.toMatch(/Operation not permitted/);
      await manager.destroy();
      // the cgroup's bpf state is released by a kernel worker after the group goes offline
      const gone = async (id: number) => {
        for (let i = 0; i < 100; i++) {
          try {
            closeFd(bpfProgGetFdById(id));
          } catch (error) {
            if ((error as { code?: string }).code === 'ENOENT') return true;
            throw error;
          }
          await sleep(50);
        }
        return false;
      };
      expect(await gone(ids[0]!)).toBe(true);
      expect(await gone(first!)).toBe(true);
    });
  },
);
