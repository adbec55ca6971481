// mounts.test.ts — the `mounts` option against the real kernel: binds (rw, ro, a file, a symlinked source),
// tmpfs with a size, proc, mqueue, devpts and cgroup, each read back from inside the container; the attacks
// on targets (a symlink out of the rootfs, `..`) refused with nothing mounted on the host; options refused
// before anything is cloned. Needs root for everything but the validation suite.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { capabilityNames, lastCap, spawnContainer, type Mount } from '../lib/index.js';
import { hostMounts, runSh, useSandbox, validationBase } from './helpers.js';

describe('mounts option validation', () => {
  const rejects = (mounts: unknown[], message: RegExp) =>
    expect(() => spawnContainer({ ...validationBase, mounts: mounts as Mount[] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(message) }),
    );
  const bind = { destination: '/data', type: 'bind', source: '/tmp' };

  it.each([
    [[{ ...bind, destination: '/data/../../etc' }], /mounts\[0\]\.destination must not contain '\.\.'/],
    [[{ ...bind, destination: 'data' }], /mounts\[0\]\.destination must be an absolute path/],
    [[{ ...bind, destination: '/' }], /must not be '\/'/],
    [[{ ...bind, source: 'tmp' }], /mounts\[0\]\.source must be an absolute path/],
    [[{ ...bind, options: ['rbind', 'bogus'] }], /mounts\[0\]\.options\[1\] 'bogus' is not a known mount option/],
    [[{ ...bind, options: ['size=1m'] }], /'size=…' is filesystem data, which a bind mount cannot take/],
    [[{ destination: '/t', type: 'tmpfs', options: ['tmpcopyup'] }], /'tmpcopyup' .* is not supported/],
    [[{ destination: '/t', type: 'ext4', source: '/dev/vda' }], /mounts\[0\]\.type 'ext4' is not supported/],
    [[{ destination: '/sys/fs/cgroup', type: 'cgroup' }], /a cgroup mount must be read-only: add 'ro'/],
  ])('rejects %j', (mounts, message) => rejects(mounts, message));
});

describe.skipIf(skipUnless('mounts in a container', { root: isRoot }))('spawnContainer with mounts', () => {
  const sandbox = useSandbox();
  const tracker = sandbox.tracker;
  let host: string; // a host directory to bind
  beforeAll(() => {
    host = mkdtempSync(path.join(tmpdir(), 'ctr-bind-'));
    writeFileSync(path.join(host, 'hello'), 'from the host\n');
  });
  afterAll(() => rmSync(host, { recursive: true, force: true }));
  const sh = (script: string, mounts: Mount[], extra = {}) =>
    runSh(tracker, sandbox.rootfs, `exec 2>&1; ${script}`, { mounts, ...extra });

  it('binds a host directory read-write: the container reads it, and its writes reach the host', async () => {
    const { output, status } = await sh('cat /data/hello && echo written > /data/out', [
      { destination: '/data', type: 'bind', source: host, options: ['rbind'] },
    ]);
    expect(output).toBe('from the host\n');
    expect(status.exitCode).toBe(0);
    expect(readFileSync(path.join(host, 'out'), 'utf8')).toBe('written\n');
    rmSync(path.join(host, 'out'));
    // the missing mount point was created inside the rootfs, not on the host
    expect(readdirSync(path.join(sandbox.rootfs, 'data'))).toEqual([]);
  });

  it('a read-only bind refuses writes with EROFS, also for root, and shows ro in mountinfo', async () => {
    const { output, status } = await sh(
      'cat /ro/hello; touch /ro/new; echo "touch=$?"; grep " /ro " /proc/self/mountinfo | { read a b c d e f rest; echo "$f"; }',
      [{ destination: '/ro', type: 'bind', source: host, options: ['bind', 'ro', 'nosuid', 'nodev'] }],
    );
    expect(status.exitCode).toBe(0);
    expect(output).toMatch(/^from the host\n.*Read-only file system\ntouch=1\n/);
    expect(output.trim().split('\n').at(-1)!.split(',')).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev']));
    expect(readdirSync(host)).toEqual(['hello']);
  });

  it('a read-only rbind is read-only in its submounts too', async () => {
    const sub = path.join(host, 'sub');
    mkdirSync(sub);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'ctr-test-sub', sub]);
    try {
      const { output } = await sh('touch /rb/sub/x; echo "sub=$?"; touch /b/sub/x; echo "plain=$?"; ls /b/sub', [
        { destination: '/rb', type: 'bind', source: host, options: ['rbind', 'ro'] },
        // a plain bind does not take the submount along: /b/sub is the (empty, read-only) directory below it
        { destination: '/b', type: 'bind', source: host, options: ['bind', 'ro'] },
      ]);
      expect(output).toMatch(/sub=1\n.*Read-only file system\nplain=1\n$/);
      expect(readdirSync(sub)).toEqual([]);
    } finally {
      execFileSync('umount', [sub]);
      rmSync(sub, { recursive: true });
    }
  });

  it('binds a single file, creating an empty file as its mount point', async () => {
    const { output, status } = await sh('cat /etc/greeting; stat -c %F /etc/greeting', [
      { destination: '/etc/greeting', type: 'bind', source: path.join(host, 'hello'), options: ['ro'] },
    ]);
    expect(status.exitCode).toBe(0);
    expect(output).toBe('from the host\nregular file\n');
  });

  it('resolves a symlinked source on the host, once, at spawn time', async () => {
    const link = path.join(tmpdir(), `ctr-bind-link-${process.pid}`);
    symlinkSync(host, link);
    try {
      const { output } = await sh('cat /l/hello', [{ destination: '/l', type: 'bind', source: link }]);
      expect(output).toBe('from the host\n');
    } finally {
      rmSync(link);
    }
  });

  it('a tmpfs with size= has that size inside, and the container can write it', async () => {
    const { output, status } = await sh('stat -f -c "%b %S" /scratch; echo x > /scratch/f && cat /scratch/f; stat -c %a /scratch', [
      { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=8m', 'mode=1777'] },
    ]);
    expect(status.exitCode).toBe(0);
    const [blocks, size] = output.split('\n')[0]!.split(' ').map(Number);
    expect(blocks! * size!).toBe(8 * 1024 * 1024);
    expect(output.split('\n').slice(1)).toEqual(['x', '1777', '']);
  });

  it('proc, mqueue and devpts mounts are new instances of their filesystems', async () => {
    const { output, status } = await sh(
      'cat /p2/self/comm; stat -f -c %T /mq /pts2; ls /pts2',
      [
        { destination: '/p2', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
        { destination: '/mq', type: 'mqueue', source: 'mqueue' },
        { destination: '/pts2', type: 'devpts', source: 'devpts', options: ['newinstance', 'ptmxmode=0666', 'mode=0620'] },
      ],
    );
    expect(status.exitCode).toBe(0);
    expect(output.split('\n').slice(0, 3)).toEqual(['cat', 'mqueue', 'devpts']);
    // a fresh devpts holds only its ptmx: none of the host's terminals
    expect(output.split('\n')[3]).toBe('ptmx');
  });

  it("a cgroup mount shows the container's own group, read-only", async () => {
    const { output, status } = await sh(
      'ls /sys/fs/cgroup | head -3 >/dev/null; touch /sys/fs/cgroup/x; echo "touch=$?"; grep " /sys/fs/cgroup" /proc/self/mountinfo | while read a b c d e f rest; do echo "$d $f"; done',
      [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] }],
    );
    expect(status.exitCode).toBe(0);
    expect(output).toMatch(/touch=1/);
    const mounts = output.split('\n').filter((l) => l.includes(' ro'));
    expect(mounts.length).toBeGreaterThan(0);
    // every cgroup mount's root is "/" — the cgroup namespace's root, the container's own group
    for (const line of mounts) expect(line.split(' ')[0]).toBe('/');
  });

  it('type cgroup2 mounts the unified hierarchy at the container\'s own group, read-only', async () => {
    const { output, status } = await sh('stat -f -c %T /cg2; touch /cg2/x; echo "touch=$?"; grep " /cg2 " /proc/self/mountinfo | { read a b c d e f rest; echo "$d $f"; }', [
      { destination: '/cg2', type: 'cgroup2', source: 'cgroup2', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    ]);
    expect(status.exitCode).toBe(0);
    expect(output).toMatch(/^cgroup2fs\n.*Read-only file system\ntouch=1\n\/ ro,/);
  });

  it('refuses a target that is a symlink out of the rootfs, and mounts nothing on the host', async () => {
    const rootfs = sandbox.rootfs;
    const outside = mkdtempSync(path.join(tmpdir(), 'ctr-outside-'));
    symlinkSync(outside, path.join(rootfs, 'escape'));
    symlinkSync('../../../../../../..' + outside, path.join(rootfs, 'escape-rel'));
    const before = hostMounts();
    try {
      for (const destination of ['/escape', '/escape/sub', '/escape-rel']) {
        for (const m of [
          { destination, type: 'tmpfs', source: 'tmpfs' },
          { destination, type: 'bind', source: host },
        ]) {
          const c = tracker.spawn({
            ...validationBase,
            rootfs,
            argv: ['true'],
            execCandidates: ['/usr/bin/sh'],
            mounts: [m],
          });
          expect(() => c.start()).toThrow(expect.objectContaining({ code: 'ELOOP', stage: 'mounts', syscall: 'openat2' }));
        }
      }
      expect(hostMounts()).toBe(before);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(path.join(rootfs, 'escape'));
      rmSync(path.join(rootfs, 'escape-rel'));
      rmSync(outside, { recursive: true });
    }
  });

  it('a failing parameter names it, and leaves no fd of the bind behind', async () => {
    const fds = readdirSync('/proc/self/fd').length;
    const c = tracker.spawn({
      ...validationBase,
      rootfs: sandbox.rootfs,
      mounts: [
        { destination: '/data', type: 'bind', source: host },
        { destination: '/t', type: 'tmpfs', options: ['size=lots'] },
      ],
    });
    expect(() => c.start()).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'fsconfig', path: 'size', stage: 'mounts' }));
    expect(readdirSync('/proc/self/fd').length).toBe(fds);
  });

  it('a missing bind source fails at spawn, before anything is cloned', () => {
    expect(() =>
      spawnContainer({ ...validationBase, rootfs: sandbox.rootfs, mounts: [{ destination: '/x', type: 'bind', source: '/nonexistent-ctr' }] }),
    ).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'open_tree', path: '/nonexistent-ctr' }));
  });

  it('in a user namespace a bind is idmapped: host root-owned files are root-owned inside, writes land as host root', async () => {
    const security = {
      capabilities: Object.values(capabilityNames).filter((cap) => cap <= lastCap()),
      noNewPrivileges: false, maskedPaths: [], readonlyPaths: [], readonlyRootfs: false,
      userns: { hostUid: 100000, hostGid: 100000, size: 65536 },
    };
    const { output, status } = await sh('stat -c %u:%g /data/hello; echo w > /data/w && stat -c %u /data/w', [
      { destination: '/data', type: 'bind', source: host, options: ['rbind'] },
    ], { security });
    expect(status.exitCode).toBe(0);
    expect(output).toBe('0:0\n0\n');
    expect(readFileSync(path.join(host, 'w'), 'utf8')).toBe('w\n');
    rmSync(path.join(host, 'w'));
  });
});
