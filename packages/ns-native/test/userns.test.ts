// userns.test.ts — `security.userns`: a real user namespace whose ids map to an unprivileged host range, with
// the rootfs idmapped so its root-owned files stay root-owned inside and writes land as host root on disk.
// Needs root (writing id maps for a foreign range, idmapping an ext4/tmpfs mount).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { capabilityNames, lastCap, type SecurityOptions } from '../lib/index.js';
import { childrenOf, runSh, shOptions, useSandbox } from './helpers.js';

const MAPPING = { hostUid: 100000, hostGid: 200000, size: 65536 };
const USERNS: SecurityOptions = {
  capabilities: Object.values(capabilityNames).filter((cap) => cap <= lastCap()),
  noNewPrivileges: false,
  maskedPaths: [],
  readonlyPaths: [],
  readonlyRootfs: false,
  userns: MAPPING,
};

describe.skipIf(skipUnless('a user namespace with an idmapped rootfs', { root: isRoot }))(
  'spawnContainer with a user namespace',
  () => {
    const sandbox = useSandbox();
    const tracker = sandbox.tracker;
    let rootfs: string;
    beforeAll(() => {
      rootfs = sandbox.rootfs;
    });

    it('maps container root to the host range and shows the rootfs owned by root inside', async () => {
      const { output, status } = await runSh(
        tracker,
        rootfs,
        'exec 2>&1; cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; id -G; stat -c %u:%g /usr/bin/sh /;' +
          'touch /tmp/made-inside && stat -c %u:%g /tmp/made-inside',
        { security: USERNS },
      );
      expect(status).toEqual({ exitCode: 0, signal: null });
      const lines = output.trim().split('\n');
      expect(lines.slice(0, 2).map((l) => l.trim().split(/\s+/))).toEqual([
        ['0', String(MAPPING.hostUid), String(MAPPING.size)],
        ['0', String(MAPPING.hostGid), String(MAPPING.size)],
      ]);
      // id -G: the host's supplementary groups were dropped, or they would show as 65534 (unmapped).
      expect(lines.slice(2)).toEqual(['0', '0', '0', '0:0', '0:0', '0:0']);
      // The idmapping works both ways: a file container root created is stored as host root.
      const made = statSync(path.join(rootfs, 'tmp/made-inside'));
      expect([made.uid, made.gid]).toEqual([0, 0]);
      rmSync(path.join(rootfs, 'tmp/made-inside'));
    });

    it('the host sees the container process under the mapped ids', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'ctr-out-'));
      const outFd = openSync(path.join(dir, 'out'), 'w+');
      try {
        const c = tracker.spawn({ ...shOptions(rootfs, 'echo ready; exec sleep 30', outFd, outFd), security: USERNS });
        c.start();
        while (!readFileSync(path.join(dir, 'out'), 'utf8').includes('ready')) await sleep(5);
        const status = readFileSync(`/proc/${c.pid}/status`, 'utf8');
        const uid = MAPPING.hostUid;
        const gid = MAPPING.hostGid;
        expect(status).toMatch(new RegExp(`^Uid:\\t${uid}\\t${uid}\\t${uid}\\t${uid}$`, 'm'));
        expect(status).toMatch(new RegExp(`^Gid:\\t${gid}\\t${gid}\\t${gid}\\t${gid}$`, 'm'));
        expect(readFileSync(`/proc/${c.pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(
          ['0', String(uid), String(MAPPING.size)],
        );
        c.kill('SIGKILL');
        await c.wait();
      } finally {
        closeSync(outFd);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('has a full capability set relative to its namespace; host-owned objects show as the overflow id', async () => {
      const { output } = await runSh(
        tracker,
        rootfs,
        'grep ^CapEff /proc/self/status; hostname inner && hostname; stat -c %u:%g /dev/null',
        { security: USERNS },
      );
      // Every capability up to cap_last_cap, even those the runtime's own bounding set lacks: a new user
      // namespace starts with a full set, valid only for objects that namespace owns.
      const all = ((1n << BigInt(lastCap() + 1)) - 1n).toString(16).padStart(16, '0');
      // /dev/null is the host's node, owned by host root, which has no id in here (overflowuid 65534).
      expect(output.trim().split('\n')).toEqual([`CapEff:\t${all}`, 'inner', '65534:65534']);
    });

    it('fails in spawnContainer, leaving no process, when the rootfs cannot be idmapped', () => {
      const before = childrenOf(process.pid).map((p) => p.pid);
      // procfs does not support idmapped mounts (no FS_ALLOW_IDMAP); a missing path fails one step earlier.
      expect(() => tracker.spawn({ ...shOptions('/proc/sys', 'true', 1, 2), security: USERNS })).toThrow(
        expect.objectContaining({ code: 'EINVAL', errno: -22, syscall: 'mount_setattr', path: '/proc/sys' }),
      );
      expect(() => tracker.spawn({ ...shOptions(`${rootfs}/missing`, 'true', 1, 2), security: USERNS })).toThrow(
        expect.objectContaining({ code: 'ENOENT', syscall: 'open_tree', path: `${rootfs}/missing` }),
      );
      expect(childrenOf(process.pid).map((p) => p.pid)).toEqual(before);
      expect(tracker.containers).toHaveLength(0);
    });

    it('combines with the other options: caps, masks, read-only paths and root, seccomp, init', async () => {
      const security: SecurityOptions = {
        ...USERNS,
        capabilities: [capabilityNames.CAP_KILL, capabilityNames.CAP_CHOWN],
        noNewPrivileges: true,
        maskedPaths: ['/proc/interrupts', '/proc/irq'],
        readonlyPaths: ['/proc/sys'],
        readonlyRootfs: true,
      };
      const { output, status } = await runSh(
        tracker,
        rootfs,
        'exec 2>&1; id -u; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; wc -c < /proc/interrupts; ls /proc/irq;' +
          'touch /x; touch /tmp/y && echo tmp-ok; echo x > /proc/sys/kernel/hostname',
        { security, init: true },
      );
      const expected = ((1n << BigInt(capabilityNames.CAP_KILL)) | 1n).toString(16).padStart(16, '0');
      const lines = output.trim().split('\n');
      expect(lines.slice(0, 4)).toEqual(['0', `CapEff:\t${expected}`, 'NoNewPrivs:\t1', '0']);
      expect(lines[4]).toMatch(/touch: cannot touch '\/x': Read-only file system/);
      expect(lines[5]).toBe('tmp-ok');
      expect(lines[6]).toMatch(/Read-only file system/);
      expect(status.exitCode).toBe(2);
    });
  },
);
