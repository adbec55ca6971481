// process.test.ts — settings of the container's first process in runtime-spec's `process` and `linux`
// shapes, read back from inside the container: rlimits (lowered, and a raise of a hard limit refused up front
// without CAP_SYS_RESOURCE), umask, user with supplementary groups, namespaced sysctls (others refused), and
// namespaces joined by path (another container's network, IPC, UTS and PID namespaces). Needs root for the
// container suites.
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { capabilityNames, closeFd, execInContainer, lastCap, pidfdOpen, spawnContainer, type Rlimit } from '../lib/index.js';
import { runSh, shOptions, useSandbox, validationBase, type Overrides } from './helpers.js';

const hardNofile = Number(readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+\S+\s+(\d+)/m)![1]);
const hasSysResource = ((BigInt(`0x${/^CapEff:\s*(\w+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`) >> 24n) & 1n) === 1n;

describe('rlimits option validation', () => {
  const rejects = (rlimits: unknown[], message: RegExp) =>
    expect(() => spawnContainer({ ...validationBase, rlimits: rlimits as Rlimit[] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(message) }),
    );
  it.each([
    [[{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }], /rlimits\[0\]\.type 'RLIMIT_BOGUS' is not one of RLIMIT_CPU/],
    [[{ type: 'RLIMIT_NOFILE', soft: 10, hard: 5 }], /rlimits\[0\] soft limit 10 is above the hard limit 5/],
    [[{ type: 'RLIMIT_NOFILE', soft: -2, hard: 5 }], /rlimits\[0\]\.soft must be a non-negative integer/],
    [[{ type: 'RLIMIT_CORE', soft: 0, hard: 0 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }], /rlimits\[1\]\.type 'RLIMIT_CORE' is given twice/],
  ])('rejects %j', (rlimits, message) => rejects(rlimits, message));

  it.runIf(!hasSysResource)('refuses to raise a hard limit without CAP_SYS_RESOURCE, naming the current one', () => {
    rejects([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: hardNofile + 1 }],
      new RegExp(`raises the hard limit of RLIMIT_NOFILE from ${hardNofile} to ${hardNofile + 1}, which needs CAP_SYS_RESOURCE .*this process lacks it`));
  });

  it('refuses to raise a hard limit in a user namespace, whatever this process may do', () => {
    expect(() => spawnContainer({
      ...validationBase,
      security: { capabilities: [], noNewPrivileges: true, maskedPaths: [], readonlyPaths: [], readonlyRootfs: false, userns: { hostUid: 100000, hostGid: 100000, size: 65536 } },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: hardNofile + 1 }],
    })).toThrow(/a container with its own user namespace never has it/);
  });
});

describe('process option validation', () => {
  const rejects = (extra: Overrides, message: RegExp) =>
    expect(() => spawnContainer({ ...validationBase, ...extra })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(message) }),
    );
  const userns = { capabilities: [], noNewPrivileges: true, maskedPaths: [], readonlyPaths: [], readonlyRootfs: false, userns: { hostUid: 100000, hostGid: 100000, size: 1000 } };
  it.each([
    [{ umask: 0o1000 }, /umask must be an integer 0-511/],
    [{ user: { uid: -1, gid: 0 } }, /user\.uid must be an integer 0-4294967294/],
    [{ user: { uid: 1000, gid: 0 }, security: userns }, /user\.uid must be an integer 0-999 \(the user namespace maps 0-999\)/],
    [{ user: { uid: 1, gid: 1, additionalGids: [2, 'x'] } }, /user\.additionalGids\[1\] must be an integer/],
    [{ sysctl: { 'kernel.panic': '1' } }, /sysctl\['kernel\.panic'\] is not scoped to a namespace of the container/],
    [{ sysctl: { 'net/../../kernel/panic': '1' } }, /must be a dotted sysctl name/],
    [{ sysctl: { 'net..ipv4': '1' } }, /must be a dotted sysctl name/],
    [{ sysctl: { 'net.ipv4.ip_forward': '1' }, joinNamespaces: [{ type: 'network', path: '/proc/1/ns/net' }] }, /belongs to the joined network namespace/],
    [{ joinNamespaces: [{ type: 'mount', path: '/proc/1/ns/mnt' }] }, /'mount' cannot be joined/],
    [{ joinNamespaces: [{ type: 'user', path: '/proc/1/ns/user' }] }, /'user' cannot be joined/],
    [{ joinNamespaces: [{ type: 'pid', path: '/proc/1/ns/pid' }] }, /a pid namespace can only be joined with `supervisor`/],
    [{ joinNamespaces: [{ type: 'ipc', path: '/proc/1/ns/ipc' }], security: userns }, /cannot be joined by a container with its own user namespace/],
    [{ joinNamespaces: [{ type: 'ipc', path: '/a' }, { type: 'ipc', path: '/b' }] }, /joinNamespaces\[1\]\.type 'ipc' is given twice/],
    [{ joinNamespaces: [{ type: 'uts', path: '/proc/1/ns/uts' }] }, /hostname must be '' with a joined uts namespace/],
  ] as [Overrides, RegExp][])('rejects %j', (extra, message) => rejects(extra, message));

  it.skipIf(skipUnless('opening namespace files', { root: isRoot }))('a namespace path of another type, or no namespace, fails before the clone', () => {
    expect(() => spawnContainer({ ...validationBase, joinNamespaces: [{ type: 'network', path: '/proc/self/ns/ipc' }] }))
      .toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'ioctl(NS_GET_NSTYPE)', path: '/proc/self/ns/ipc' }));
    expect(() => spawnContainer({ ...validationBase, joinNamespaces: [{ type: 'network', path: '/etc/hostname' }] }))
      .toThrow(expect.objectContaining({ code: 'EINVAL', path: '/etc/hostname' }));
  });
});

describe.skipIf(skipUnless('process settings in a container', { root: isRoot }))('spawnContainer process settings', () => {
  const sandbox = useSandbox();
  const sh = (script: string, extra = {}) => runSh(sandbox.tracker, sandbox.rootfs, `exec 2>&1; ${script}`, extra);

  it('rlimits are lowered for the first process and what it runs', async () => {
    const { output, status } = await sh('ulimit -Sn; ulimit -Hn; ulimit -Sc; ulimit -Hc', {
      rlimits: [
        { type: 'RLIMIT_NOFILE', soft: 64, hard: 128 },
        { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
      ],
    });
    expect(status.exitCode).toBe(0);
    expect(output).toBe('64\n128\n0\n0\n');
  });

  it.runIf(hasSysResource)('raises a hard limit with CAP_SYS_RESOURCE', async () => {
    const { output } = await sh('ulimit -Hn', { rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: hardNofile + 1 }] });
    expect(output).toBe(`${hardNofile + 1}\n`);
  });

  it('unlimited is Infinity', async () => {
    const { output } = await sh('ulimit -Ht', { rlimits: [{ type: 'RLIMIT_CPU', soft: 10, hard: Infinity }] });
    expect(output).toBe('unlimited\n');
  });

  it('umask applies to what the command creates', async () => {
    const { output } = await sh('umask; touch /tmp/um && stat -c %a /tmp/um', { umask: 0o027 });
    expect(output).toBe('0027\n640\n');
  });

  it('user sets uid, gid and the supplementary groups; a non-root uid has no effective capabilities', async () => {
    chmodSync(sandbox.rootfs, 0o755); // a mkdtemp directory: 0700, which uid 1000 could not enter
    const { output, status } = await sh('id -u; id -g; id -G; grep CapEff /proc/self/status', {
      user: { uid: 1000, gid: 1001, additionalGids: [5, 1002] },
    });
    expect(status.exitCode).toBe(0);
    expect(output.split('\n').slice(0, 3)).toEqual(['1000', '1001', '1001 5 1002']);
    expect(output).toMatch(/CapEff:\s+0000000000000000/);
  });

  it('sysctls are written in the container’s own namespaces, and the host’s stay as they were', async () => {
    const hostShmmni = readFileSync('/proc/sys/kernel/shmmni', 'utf8');
    const hostPingRange = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8');
    const { output, status } = await sh('cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ping_group_range', {
      sysctl: { 'kernel.shmmni': '1234', 'net.ipv4.ping_group_range': '0 42' },
    });
    expect(status.exitCode).toBe(0);
    expect(output.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual(['1234', '0 42', '']);
    expect(readFileSync('/proc/sys/kernel/shmmni', 'utf8')).toBe(hostShmmni);
    expect(readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8')).toBe(hostPingRange);
  });

  it('a sysctl the kernel lacks fails at stage sysctl with its path', async () => {
    const c = sandbox.tracker.spawn({ ...validationBase, rootfs: sandbox.rootfs, execCandidates: ['/usr/bin/sh'], sysctl: { 'net.ipv4.no_such_knob': '1' } });
    expect(() => c.start()).toThrow(expect.objectContaining({ code: 'ENOENT', stage: 'sysctl', path: 'net/ipv4/no_such_knob' }));
  });

  describe('joinNamespaces', () => {
    // A running container whose namespaces the next one joins.
    async function target() {
      const outFd = openSync('/dev/null', 'w');
      const c = sandbox.tracker.spawn({ ...shOptions(sandbox.rootfs, 'exec sleep 30', outFd, outFd), hostname: 'first' });
      closeSync(outFd); // the container has its own copy
      c.start();
      while (readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim() !== 'sleep') await sleep(5);
      return c;
    }

    it('network, ipc and uts joined by path are the other container’s; the rest stay its own', async () => {
      const first = await target();
      const ns = (t: string) => readlinkSync(`/proc/${first.pid}/ns/${t}`);
      const { output, status } = await sh('readlink /proc/self/ns/net /proc/self/ns/ipc /proc/self/ns/uts /proc/self/ns/mnt; hostname', {
        hostname: '',
        joinNamespaces: [
          { type: 'network', path: `/proc/${first.pid}/ns/net` },
          { type: 'ipc', path: `/proc/${first.pid}/ns/ipc` },
          { type: 'uts', path: `/proc/${first.pid}/ns/uts` },
        ],
      });
      expect(status.exitCode).toBe(0);
      const lines = output.trim().split('\n');
      expect(lines.slice(0, 3)).toEqual([ns('net'), ns('ipc'), ns('uts')]);
      expect(lines[3]).not.toBe(ns('mnt'));
      expect(lines[4]).toBe('first');
      first.abort();
    });

    it('execInContainer takes the same user (with groups), umask and rlimits', async () => {
      const first = await target();
      chmodSync(sandbox.rootfs, 0o755);
      const dir = mkdtempSync(path.join(tmpdir(), 'ctr-exec-'));
      const outFd = openSync(path.join(dir, 'out'), 'w+');
      const pidfd = pidfdOpen(first.pid);
      try {
        const c = execInContainer({
          pidfd, argv: ['sh', '-c', 'id -u; id -G; umask; ulimit -n'], execCandidates: ['/usr/bin/sh'], env: ['PATH=/usr/bin'], cwd: '/',
          stdio: { kind: 'fds', fds: [outFd, outFd, outFd] },
          user: { uid: 1000, gid: 1001, additionalGids: [5] }, umask: 0o077, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 99, hard: 99 }],
        });
        c.start();
        expect(await c.wait()).toEqual({ exitCode: 0, signal: null });
        expect(readFileSync(path.join(dir, 'out'), 'utf8')).toBe('1000\n1001 5\n0077\n99\n');
      } finally {
        closeFd(pidfd);
        closeSync(outFd);
        rmSync(dir, { recursive: true });
        first.abort();
      }
    });

    it('a pid namespace joined with a supervisor: the container sees the other one’s processes', async () => {
      const first = await target();
      const shimDir = mkdtempSync(path.join(tmpdir(), 'ctr-join-'));
      const { output, status } = await sh('cat /proc/1/comm; echo "me=$$"', {
        joinNamespaces: [{ type: 'pid', path: `/proc/${first.pid}/ns/pid` }],
        supervisor: { dir: shimDir },
      }).finally(() => rmSync(shimDir, { recursive: true, force: true }));
      expect(status.exitCode).toBe(0);
      expect(output).toMatch(/^sleep\nme=(\d+)\n$/);
      expect(output).not.toMatch(/me=1\n/);
      first.abort();
    });
  });

});
