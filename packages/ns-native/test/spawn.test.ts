// spawn.test.ts — spawnContainer against the real kernel: namespaces, the root switch, /proc, exit statuses,
// setup errors and fd hygiene. Needs root (clone with CLONE_NEW*, mount, pivot_root).
import { readlinkSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { hostname as hostHostname } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { childrenOf, processExists, runSh, shOptions, useSandbox } from './helpers.js';

describe.skipIf(skipUnless('spawnContainer creates real namespaces and a pivoted root', { root: isRoot }))(
  'spawnContainer',
  () => {
    const sandbox = useSandbox();
    const tracker = sandbox.tracker;
    let rootfs: string;
    beforeAll(() => {
      rootfs = sandbox.rootfs;
    });

    it('sets the hostname inside and leaves the host one alone', async () => {
      const before = hostHostname();
      const { output, status } = await runSh(tracker, rootfs, 'hostname', { hostname: 'box-42' });
      expect(status).toEqual({ exitCode: 0, signal: null });
      expect(output).toBe('box-42\n');
      expect(hostHostname()).toBe(before);
    });

    it('runs the command as PID 1 and /proc shows only the container', async () => {
      const { output } = await runSh(
        tracker,
        rootfs,
        'echo $$; grep -E "^(Pid|PPid):" /proc/self/status; sleep 0.01 & ls /proc | grep -E "^[0-9]+$"; wait',
      );
      const lines = output.trim().split('\n');
      expect(lines[0]).toBe('1');
      // /proc/self is `grep` here, a child of PID 1; the PPid of a PID-1 child is 1, of PID 1 itself 0.
      expect(lines.slice(1, 3)).toEqual([expect.stringMatching(/^Pid:\s+\d+$/), 'PPid:\t1']);
      const pids = lines.slice(3).map(Number);
      expect(pids).toContain(1);
      // sh, the background sleep, ls, grep: a handful, never the host's hundreds.
      expect(pids.length).toBeLessThan(6);
      expect(Math.max(...pids)).toBeLessThan(10);
    });

    it('gives the container its own mnt, pid, uts, ipc, net and cgroup namespaces', async () => {
      const kinds = ['mnt', 'pid', 'uts', 'ipc', 'net', 'cgroup'];
      const { output } = await runSh(tracker, rootfs, kinds.map((k) => `readlink /proc/self/ns/${k}`).join(';'));
      const inside = output.trim().split('\n');
      expect(inside).toHaveLength(kinds.length);
      kinds.forEach((kind, i) => {
        expect(inside[i]).toMatch(new RegExp(`^${kind}:\\[\\d+\\]$`));
        expect(inside[i]).not.toBe(readlinkSync(`/proc/self/ns/${kind}`));
      });
    });

    it('makes the rootfs the whole of / (a marker in the host /tmp is unreachable)', async () => {
      const marker = `ctr-marker-${process.pid}`;
      writeFileSync(path.join('/tmp', marker), 'host');
      writeFileSync(path.join(rootfs, 'tmp', 'inside'), 'rootfs');
      try {
        const { output } = await runSh(
          tracker,
          rootfs,
          `cat /tmp/inside; echo; ls /tmp; cat /tmp/${marker} 2>/dev/null || echo unreachable; cd /..; ls /`,
        );
        const lines = output.trim().split('\n');
        expect(lines.slice(0, 3)).toEqual(['rootfs', 'inside', 'unreachable']);
        expect(lines.slice(3).sort()).toEqual(
          ['bin', 'dev', 'lib', 'lib64', 'proc', 'root', 'sys', 'tmp', 'usr'].sort(),
        );
      } finally {
        rmSync(path.join('/tmp', marker), { force: true });
        rmSync(path.join(rootfs, 'tmp', 'inside'), { force: true });
      }
    });

    it('provides /dev nodes, devpts, shm and the fd symlinks', async () => {
      const { output, status } = await runSh(
        tracker,
        rootfs,
        'for n in null zero full random urandom tty; do stat_=$(ls -l /dev/$n); echo "${stat_%% *} $n"; done;' +
          'readlink /dev/ptmx /dev/fd /dev/stdin; echo x > /dev/null && echo ok;' +
          'grep -E " /(proc|sys|dev|dev/pts|dev/shm) " /proc/self/mountinfo | while read -r a b c d mnt opts rest; do echo "$mnt $opts"; done',
      );
      expect(status.exitCode).toBe(0);
      const lines = output.trim().split('\n');
      for (const n of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) expect(lines).toContain(`crw-rw-rw- ${n}`);
      expect(lines).toEqual(expect.arrayContaining(['pts/ptmx', '/proc/self/fd', '/proc/self/fd/0', 'ok']));
      expect(lines).toContain('/proc rw,nosuid,nodev,noexec,relatime');
      expect(lines).toContain('/sys ro,nosuid,nodev,noexec,relatime');
      expect(lines.find((l) => l.startsWith('/dev/pts '))).toMatch(/nosuid,noexec/);
      expect(lines.find((l) => l.startsWith('/dev/shm '))).toMatch(/nosuid,nodev,noexec/);
    });

    it('reports exit codes and deaths by signal', async () => {
      expect((await runSh(tracker, rootfs, 'exit 3')).status).toEqual({ exitCode: 3, signal: null });
      const c = tracker.spawn(shOptions(rootfs, 'sleep 30', 1, 0));
      c.start();
      // PID 1 ignores signals it has no handler for, even from the host (pid_namespaces(7)): SIGTERM is a no-op.
      expect(c.kill('SIGTERM')).toBe(true);
      expect(c.kill('SIGKILL')).toBe(true);
      expect(await c.wait()).toEqual({ exitCode: null, signal: 'SIGKILL' });
      expect(c.pidfd).toBe(-1);
      expect(c.kill('SIGKILL')).toBe(false);
    });

    it('fails with syscall and path for a missing rootfs, leaving no process', () => {
      const missing = path.join(rootfs, 'does-not-exist');
      const c = tracker.spawn(shOptions(missing, 'true', 1, 0));
      expect(processExists(c.pid)).toBe(true);
      let error: any;
      try {
        c.start();
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({
        code: 'ENOENT',
        errno: -2,
        syscall: 'mount',
        path: missing,
        stage: 'rootfs',
        message: `container setup failed at mount: No such file or directory '${missing}'`,
      });
      expect(processExists(c.pid)).toBe(false);
      expect(childrenOf(process.pid).map((p) => p.pid)).not.toContain(c.pid);
      expect(c.exitStatus).toEqual({ exitCode: 127, signal: null });
    });

    it('reports a missing command as ENOENT at the exec stage, after trying every candidate', () => {
      const c = tracker.spawn({
        ...shOptions(rootfs, '', 1, 0),
        argv: ['nope'],
        execCandidates: ['/usr/local/bin/nope', '/usr/bin/nope', '/bin/nope/not-a-dir'],
      });
      expect(() => c.start()).toThrow(
        expect.objectContaining({ code: 'ENOENT', syscall: 'execve', stage: 'exec', path: 'nope' }),
      );
      expect(processExists(c.pid)).toBe(false);
    });

    it('reports a non-executable file as EACCES even when a later candidate is missing', () => {
      writeFileSync(path.join(rootfs, 'usr/bin/data'), 'not a program');
      chmodSync(path.join(rootfs, 'usr/bin/data'), 0o644);
      try {
        const c = tracker.spawn({
          ...shOptions(rootfs, '', 1, 0),
          argv: ['data'],
          execCandidates: ['/usr/bin/data', '/bin/missing'],
        });
        expect(() => c.start()).toThrow(
          expect.objectContaining({ code: 'EACCES', errno: -13, syscall: 'execve', path: '/usr/bin/data' }),
        );
      } finally {
        rmSync(path.join(rootfs, 'usr/bin/data'));
      }
    });

    it('reports a bad cwd at the cwd stage', () => {
      const c = tracker.spawn({ ...shOptions(rootfs, 'true', 1, 0), cwd: '/no/such/dir' });
      expect(() => c.start()).toThrow(
        expect.objectContaining({ code: 'ENOENT', syscall: 'chdir', path: '/no/such/dir', stage: 'cwd' }),
      );
    });

    it('lets no runtime fd reach the container', async () => {
      // An fd Node opened without O_CLOEXEC would leak through a plain fork+exec; close_range must stop it.
      const { output } = await runSh(tracker, rootfs, 'ls /proc/self/fd');
      // 0-2 plus the directory fd ls itself opened to list /proc/self/fd.
      expect(output.trim().split('\n').map(Number).sort()).toEqual([0, 1, 2, 3]);
    });

    it('abort() before start kills and reaps the waiting child, idempotently', () => {
      const c = tracker.spawn(shOptions(rootfs, 'true', 1, 0));
      expect(readFileSync(`/proc/${c.pid}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
      c.abort();
      c.abort();
      expect(c.exitStatus).toEqual({ exitCode: null, signal: 'SIGKILL' });
      expect(processExists(c.pid)).toBe(false);
      expect(() => c.start()).toThrow(/already started or aborted/);
    });

    it('startAsync: many at once, each resolving once its command runs; rejects like start() on failure', async () => {
      // sleep itself, not `sh -c 'exec sleep'`: the start ends with the command's exec, not with a later one
      const sleep = { ...shOptions(rootfs, '', 1, 0), argv: ['sleep', '30'], execCandidates: ['/usr/bin/sleep', '/bin/sleep'] };
      const containers = Array.from({ length: 8 }, () => tracker.spawn(sleep));
      await Promise.all(containers.map((c) => c.startAsync()));
      for (const c of containers) {
        // the command itself, no longer the clone of this node process that set it up
        expect(readlinkSync(`/proc/${c.pid}/exe`)).not.toBe(readlinkSync('/proc/self/exe'));
        expect(readFileSync(`/proc/${c.pid}/cmdline`, 'utf8')).toBe('sleep\x0030\x00');
        c.kill('SIGKILL');
      }
      for (const c of containers) expect(await c.wait()).toEqual({ exitCode: null, signal: 'SIGKILL' });

      const missing = tracker.spawn({ ...shOptions(rootfs, '', 1, 0), argv: ['nope'], execCandidates: ['/usr/bin/nope'] });
      await expect(missing.startAsync()).rejects.toMatchObject({ code: 'ENOENT', syscall: 'execve', stage: 'exec', path: 'nope' });
      expect(processExists(missing.pid)).toBe(false);
      expect(missing.exitStatus).toEqual({ exitCode: 127, signal: null });
    });

    it('startAsync: abort() while it is pending kills the child and rejects', async () => {
      const c = tracker.spawn(shOptions(rootfs, 'sleep 30', 1, 0));
      const started = c.startAsync();
      c.abort();
      await expect(started).rejects.toThrow(/aborted before it started/);
      expect(processExists(c.pid)).toBe(false);
      expect(childrenOf(process.pid).map((p) => p.pid)).not.toContain(c.pid);
    });

    it('validates options before cloning', () => {
      const base = shOptions(rootfs, 'true', 1, 0);
      expect(() => tracker.spawn({ ...base, rootfs: 'relative' })).toThrow(/rootfs must be an absolute path/);
      expect(() => tracker.spawn({ ...base, hostname: 'x'.repeat(65) })).toThrow(/at most 64 bytes/);
      expect(() => tracker.spawn({ ...base, argv: [] })).toThrow(/argv must not be empty/);
      expect(() => tracker.spawn({ ...base, execCandidates: ['sh'] })).toThrow(/absolute path/);
      expect(() => tracker.spawn({ ...base, env: ['NOEQUALS'] })).toThrow(/NAME=value/);
      expect(tracker.containers).toHaveLength(0);
    });
  },
);
