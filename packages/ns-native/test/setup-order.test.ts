// setup-order.test.ts — what the clone child must do before the container's own paths are used: close the
// runtime's fds before entering the cwd (a cwd through /proc/self/fd/N of a host directory is CVE-2024-21626),
// keep the cwd inside the new root, drop the runtime's supplementary groups and gid, and refuse a rootfs whose
// /proc, /sys or /dev is a symlink (the kernel filesystems would be mounted wherever it points). Needs root.
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { processExists, runSh, shOptions, useSandbox, type Overrides } from './helpers.js';

/** `Name:\tvalue` of /proc/PID/status. */
const statusField = (text: string, name: string) => new RegExp(`^${name}:\\t(.*)$`, 'm').exec(text)?.[1]?.trim();

describe.skipIf(skipUnless('the clone child sets up fds, cwd, ids and /proc safely', { root: isRoot }))(
  'spawnContainer setup order',
  () => {
    const sandbox = useSandbox();
    const tracker = sandbox.tracker;
    let rootfs: string;
    // A host directory with a marker only the host has; the rootfs gets the same path with another marker.
    const hostDir = mkdtempSync(path.join(tmpdir(), 'ctr-cwd-'));
    writeFileSync(path.join(hostDir, 'host-only'), '');
    afterAll(() => rmSync(hostDir, { recursive: true, force: true }));
    beforeAll(() => {
      rootfs = sandbox.rootfs;
      mkdirSync(path.join(rootfs, hostDir), { recursive: true });
      writeFileSync(path.join(rootfs, hostDir, 'inside'), '');
    });

    /** Replaces the rootfs entry `name` with a symlink to `target` for the duration of `fn`. */
    async function withSymlink(name: string, target: string, fn: () => Promise<void>): Promise<void> {
      const entry = path.join(rootfs, name);
      rmSync(entry, { recursive: true, force: true });
      symlinkSync(target, entry);
      try {
        await fn();
      } finally {
        rmSync(entry, { force: true });
      }
    }

    /** start() of a container with these options; returns what it threw (the child is gone by then). */
    const startFails = (overrides: Overrides): unknown => {
      const c = tracker.spawn({ ...shOptions(rootfs, 'ls', 1, 2), ...overrides });
      let error: unknown;
      try {
        c.start();
      } catch (e) {
        error = e;
      }
      expect(processExists(c.pid)).toBe(false);
      return error;
    };

    describe('cwd', () => {
      it('refuses a cwd through /proc/self/fd/N of a host directory the runtime had open', async () => {
        // Open in this (the runtime's) process at clone time, as a leaked fd would be; CLOEXEC does not
        // matter before execve. Reached directly and through a symlink in the rootfs.
        const fd = openSync(hostDir, 'r');
        try {
          expect(startFails({ cwd: `/proc/self/fd/${fd}` })).toMatchObject({ stage: 'cwd', code: 'ENOENT', syscall: 'chdir' });
          await withSymlink('leak', `/proc/self/fd/${fd}`, async () => {
            expect(startFails({ cwd: '/leak' })).toMatchObject({ stage: 'cwd', code: 'ENOENT', syscall: 'chdir' });
          });
        } finally {
          closeSync(fd);
        }
      });

      it('refuses a cwd that chdir reaches outside the new root (a host directory given as stdin)', () => {
        // fds 0-2 are the caller's and stay open, so /proc/self/fd/0 still resolves: chdir succeeds and only
        // the kernel's getcwd tells that the result is not below our root.
        const fd = openSync(hostDir, 'r');
        try {
          expect(startFails({ cwd: '/proc/self/fd/0', stdio: { kind: 'fds', fds: [fd, 1, 2] } })).toMatchObject({
            stage: 'cwd',
            code: 'ENOENT',
            syscall: 'getcwd',
          });
        } finally {
          closeSync(fd);
        }
      });

      it('resolves a cwd symlink pointing outside (absolute or ../) inside the new root', async () => {
        for (const target of [hostDir, `../../../../../../../..${hostDir}`]) {
          await withSymlink('out', target, async () => {
            const { output, status } = await runSh(tracker, rootfs, 'pwd; ls', { cwd: '/out' });
            expect({ output, status }).toEqual({ output: `${hostDir}\ninside\n`, status: { exitCode: 0, signal: null } });
          });
        }
      });
    });

    it('starts the command as uid/gid 0 without the runtime supplementary groups or gid', async () => {
      // Defined on POSIX, where this suite runs (the types allow their absence for Windows).
      const { getgroups, getegid, setgroups, setegid } = process as Required<NodeJS.Process>;
      const groups = getgroups();
      const egid = getegid();
      setgroups([4, 24]);
      setegid(24);
      try {
        // Control: the runtime itself now has them, so a child that kept its credentials would show them.
        const self = readFileSync('/proc/self/status', 'utf8');
        expect([statusField(self, 'Groups'), statusField(self, 'Gid')]).toEqual(['4 24', '0\t24\t0\t24']);
        const { output, status } = await runSh(tracker, rootfs, 'cat /proc/self/status');
        expect(status).toEqual({ exitCode: 0, signal: null });
        expect([statusField(output, 'Groups'), statusField(output, 'Uid'), statusField(output, 'Gid')]).toEqual([
          '',
          '0\t0\t0\t0',
          '0\t0\t0\t0',
        ]);
      } finally {
        setegid(egid);
        setgroups(groups);
      }
    });

    describe('kernel filesystems', () => {
      for (const [name, stage] of [
        ['proc', 'proc'],
        ['sys', 'sys'],
        ['dev', 'dev'],
      ] as const) {
        it(`refuses a rootfs whose /${name} is a symlink out of it or inside it`, async () => {
          // Absolute: until pivot_root it resolves on the host; relative: to a plain directory of the rootfs,
          // where the filesystem would have been mounted instead (a procfs outside the masks).
          mkdirSync(path.join(rootfs, 'elsewhere'), { recursive: true });
          for (const target of [hostDir, 'elsewhere']) {
            await withSymlink(name, target, async () => {
              expect(startFails({})).toMatchObject({ stage, code: 'ELOOP', syscall: 'openat2' });
            });
          }
        });
      }
    });
  },
);
