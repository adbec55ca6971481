// isolation.test.ts — `ctr run` end to end against the real kernel (root): hostname, PID namespace and /proc,
// namespaces, root filesystem and chroot escape, mounts, exit statuses, --init, and that nothing is left behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { cliPath, ctr, defaultRootfs, expectNothingLeaked, layersDir, waitForContainer } from '../helpers.js';

describe.skipIf(skipUnless('ctr run isolation end to end', { root: isRoot, 'rootfs/default (ctr rootfs build)': existsSync(defaultRootfs) }))(
  'ctr run: isolation',
  () => {
    expectNothingLeaked();

    it('sets the given hostname inside and leaves the host one alone', async () => {
      const hostHostname = os.hostname();
      const r = await ctr(['run', '--net', 'none', '--hostname', 'mycontainer', defaultRootfs, 'hostname']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('mycontainer');
      expect(r.code).toBe(0);
      expect(os.hostname()).toBe(hostHostname);
      expect(execFileSync('hostname', { encoding: 'utf8' }).trim()).toBe(hostHostname);
    });

    it('shows only the container processes; PID 1 is the command with PPid 0', async () => {
      const r = await ctr(['run', '--net', 'none', defaultRootfs, 'sh', '-c', 'ps -e -o pid=,ppid=,comm=; grep PPid /proc/1/status']);
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
      const ps = lines.filter((l) => l[0] !== 'PPid:');
      expect(ps).toEqual([
        ['1', '0', 'sh'],
        [expect.stringMatching(/^\d+$/), '1', 'ps'],
      ]);
      expect(r.stdout).toMatch(/PPid:\s+0/);
    });

    it('with --init, PID 1 is the init and the command is its child', async () => {
      const r = await ctr(['run', '--net', 'none', '--init', defaultRootfs, 'ps', '-e', '-o', 'pid=,ppid=,comm=']);
      expect(r.code).toBe(0);
      const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
      expect(rows[0]).toEqual(['1', '0', 'ctr-init']);
      expect(rows[1]).toEqual([expect.any(String), '1', 'ps']);
    });

    it('runs in new mnt, pid, uts, ipc and net namespaces', async () => {
      const kinds = ['mnt', 'pid', 'uts', 'ipc', 'net'];
      const r = await ctr(['run', '--net', 'none', defaultRootfs, 'readlink', ...kinds.map((k) => `/proc/self/ns/${k}`)]);
      expect(r.code).toBe(0);
      const inside = r.stdout.trim().split('\n');
      expect(inside).toHaveLength(kinds.length);
      kinds.forEach((k, i) => {
        expect(inside[i]).toMatch(new RegExp(`^${k}:\\[\\d+\\]$`));
        expect(inside[i]).not.toBe(readlinkSync(`/proc/self/ns/${k}`));
      });
    });

    it('has the rootfs as / and cannot reach host files, even by a chroot escape', async () => {
      const marker = path.join('/tmp', `ctr-marker-${process.pid}`);
      writeFileSync(marker, 'host secret');
      try {
        const ls = await ctr(['run', '--net', 'none', defaultRootfs, 'ls', '-A', '/']);
        expect(ls.stdout.trim().split('\n').sort()).toEqual(readdirSync(defaultRootfs).sort());
        const cat = await ctr(['run', '--net', 'none', defaultRootfs, 'cat', marker]);
        expect(cat.code).toBe(1);
        expect(cat.stdout).not.toContain('host secret');
        const escape = await ctr(['run', '--net', 'none', defaultRootfs, 'chroot-escape', marker]);
        expect(escape.stdout).toContain(`contained: ${marker} not reachable`);
        expect(escape.code).toBe(1);
      } finally {
        rmSync(marker, { force: true });
      }
    });

    it('shows no host mount in /proc/mounts, and only lo with --net none', async () => {
      const r = await ctr(['run', '--net', 'none', defaultRootfs, 'sh', '-c', 'cat /proc/mounts; echo ---; ls /sys/class/net']);
      expect(r.code).toBe(0);
      const [mounts, links] = r.stdout.split('---\n');
      const targets = mounts!.trim().split('\n').map((l) => l.split(' ')[1]);
      expect(targets).toContain('/');
      expect(targets).toContain('/proc');
      for (const t of targets) expect(t).toMatch(/^\/(proc|sys|dev)?(\/|$)/);
      // No host path: not the repository the rootfs is in, not the layer directory (overlayfs' own option
      // string names its layers as /proc/self/fd/N/…, so a bare '/work' substring proves nothing).
      for (const hostPath of [path.resolve(defaultRootfs, '../..'), layersDir]) expect(mounts).not.toContain(hostPath);
      expect(mounts).not.toContain('cgroup');
      expect(links!.trim().split(/\s+/)).toEqual(['lo']);
    });

    it('returns the command status, 127 not found, 126 not executable, 128+N on a signal', async () => {
      expect((await ctr(['run', '--net', 'none', defaultRootfs, 'sh', '-c', 'exit 3'])).code).toBe(3);

      const missing = await ctr(['run', '--net', 'none', defaultRootfs, 'no-such-command']);
      expect(missing.code).toBe(127);
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      expect(missing.stderr).toContain('no-such-command');

      const notExec = await ctr(['run', '--net', 'none', defaultRootfs, '/etc/passwd']);
      expect(notExec.code).toBe(126);
      expect(notExec.stderr.trim().split('\n')).toHaveLength(1);

      // PID 1 cannot be killed from inside its own namespace, so the command kills itself under --init
      const selfKilled = await ctr(['run', '--net', 'none', '--init', defaultRootfs, 'sh', '-c', 'kill -KILL $$']);
      expect(selfKilled.code).toBe(137);

      const done = ctr(['run', '--net', 'none', '--name', 'killed-from-host', defaultRootfs, 'sleep', '30']);
      const entry = await waitForContainer('killed-from-host');
      process.kill(entry.pid, 'SIGKILL');
      expect((await done).code).toBe(137);
    });

    it('forwards SIGTERM sent to ctr to the container (143)', async () => {
      const r = await ctr(['run', '--net', 'none', '--init', defaultRootfs, 'sh', '-c', 'echo ready; sleep 30'], {
        onSpawn: (child) => child.stdout!.once('data', () => child.kill('SIGTERM')),
      });
      expect(r.stdout).toContain('ready');
      expect(r.code).toBe(143);
    });

    it('with --init, orphans are reaped: no zombie remains', async () => {
      const script = '(sleep 0.2 &) ; sleep 1; ps -e -o stat=,comm=';
      const r = await ctr(['run', '--net', 'none', '--init', defaultRootfs, 'sh', '-c', script]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/^Z/m);
    });

    it('passes environment, workdir and the arguments untouched', async () => {
      const r = await ctr(['run', '--net', 'none', '-e', 'GREETING=hi there', '-w', '/tmp', defaultRootfs, 'sh', '-c', 'echo "$GREETING"; pwd; echo "$@"', 'sh', '-la', '--x']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('hi there\n/tmp\n-la --x\n');
    });

    it('with no ROOTFS, runs the default shell in the default rootfs; a command first runs there too', async () => {
      const shell = await ctr(['run', '--net', 'none', '-i'], { input: 'echo "shell $BASH_VERSION"; ls /usr/local/bin/escape-probe\n' });
      expect(shell.stderr).toBe('');
      expect(shell.stdout).toMatch(/^shell \d+\.\d+.*\n\/usr\/local\/bin\/escape-probe\n$/);
      expect(shell.code).toBe(0);
      const command = await ctr(['run', '--net', 'none', 'sh', '-c', 'exit 7']);
      expect(command.code).toBe(7);
    });
  },
);

describe.skipIf(skipUnless('ctr run bad input', { root: isRoot, 'rootfs/default (ctr rootfs build)': existsSync(defaultRootfs) }))(
  'ctr run: bad input gives one line, exit 125, nothing left behind',
  () => {
    expectNothingLeaked();

    const cases: [string, string[], RegExp][] = [
      ['a missing rootfs', ['/nonexistent/rootfs', 'true'], /rootfs "\/nonexistent\/rootfs" does not exist/],
      ['a file as rootfs', ['/etc/hostname', 'true'], /is not a directory/],
      ['a hostname longer than 64', ['--hostname', 'a'.repeat(65), defaultRootfs, 'true'], /invalid hostname/],
      ['a hostname with invalid characters', ['--hostname', 'bad_host!', defaultRootfs, 'true'], /invalid hostname "bad_host!"/],
      ['an invalid name', ['--name', '../x', defaultRootfs, 'true'], /invalid container name/],
      ['an unknown flag', ['--frobnicate', defaultRootfs, 'true'], /frobnicate/],
    ];
    for (const [what, args, message] of cases) {
      it(`refuses ${what}`, async () => {
        const r = await ctr(['run', '--net', 'none', ...args]);
        expect(r.code).toBe(125);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(r.stdout).toBe('');
      });
    }

    it('refuses a duplicate name while the first container runs', async () => {
      const first = ctr(['run', '--net', 'none', '--name', 'dup-test', defaultRootfs, 'sh', '-c', 'echo up; sleep 2']);
      await new Promise((r) => setTimeout(r, 700));
      const second = await ctr(['run', '--net', 'none', '--name', 'dup-test', defaultRootfs, 'true']);
      expect(second.code).toBe(125);
      expect(second.stderr).toMatch(/name "dup-test" is already in use/);
      expect((await first).code).toBe(0);
    });

    it('says it needs root when run as another user', () => {
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliPath, 'run', '--net', 'none', defaultRootfs, 'true'], { encoding: 'utf8' });
      expect(r.status).toBe(125);
      expect(r.stderr).toMatch(/needs root/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  },
);
