// Unit tests for detection (src/detect.ts) against mountinfo and /proc/self/cgroup fixtures: this CI
// machine's real hybrid lines, a systemd cgroup-v2 host, and a legacy v1 host with cpu,cpuacct co-mounted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CGROUP2_SUPER_MAGIC, classifySetup, hierarchyDir, ownCgroupPath, parseMountinfo, parseProcCgroup,
} from '../src/detect.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const TMPFS_MAGIC = 0x01021994;
const ROOT = '/sys/fs/cgroup';

describe('parseMountinfo', () => {
  it('reads root, mountpoint, fstype and super options past optional fields', () => {
    const mounts = parseMountinfo(fixture('mountinfo-hybrid-ci.txt'));
    expect(mounts.find((m) => m.mountpoint === '/sys/fs/cgroup/cpuacct')).toEqual({
      mountRoot: '/', mountpoint: '/sys/fs/cgroup/cpuacct', fstype: 'cgroup', superOptions: ['rw', 'cpuacct'],
    });
    const netns = mounts.find((m) => m.mountpoint === '/run/netns');
    expect(netns?.fstype).toBe('ext4'); // "shared:1" sits between the options and '-'
  });
  it('unescapes octal escapes in paths', () => {
    const mounts = parseMountinfo(fixture('mountinfo-v1-comounted.txt'));
    expect(mounts.at(-1)).toMatchObject({ mountRoot: '/docker/abc', mountpoint: '/mnt/pids copy' });
  });
});

describe('parseProcCgroup', () => {
  it('reads v1 controller lists and the v2 line', () => {
    const entries = parseProcCgroup(fixture('proc-cgroup-hybrid-ci.txt'));
    expect(entries).toContainEqual({ id: 4, controllers: ['memory'], path: '/process_api/b30054b93f74f0fd545c80278f2ce212' });
    expect(entries).toContainEqual({ id: 0, controllers: [], path: '/' });
    expect(parseProcCgroup(fixture('proc-cgroup-v1-comounted.txt'))).toContainEqual({
      id: 2, controllers: ['cpu', 'cpuacct'], path: '/system.slice/ctrd.service',
    });
  });
});

describe('classifySetup', () => {
  it('sees this machine as hybrid with v1 controllers and hugetlb-only unified', () => {
    const asked: string[] = [];
    const setup = classifySetup({
      root: ROOT,
      rootFsType: TMPFS_MAGIC,
      mounts: parseMountinfo(fixture('mountinfo-hybrid-ci.txt')),
      readControllers: (dir) => (asked.push(dir), ['hugetlb']),
    });
    expect(setup.mode).toBe('hybrid');
    expect(asked).toEqual(['/sys/fs/cgroup/unified']);
    const where = (c: string) => setup.hierarchies.find((h) => h.controllers.includes(c));
    expect(where('cpu')).toMatchObject({ version: 1, mountpoint: '/sys/fs/cgroup/cpu', controllers: ['cpu'] });
    expect(where('cpuacct')).toMatchObject({ version: 1, mountpoint: '/sys/fs/cgroup/cpuacct' });
    expect(where('memory')).toMatchObject({ version: 1, mountpoint: '/sys/fs/cgroup/memory' });
    expect(where('hugetlb')).toMatchObject({ version: 2, mountpoint: '/sys/fs/cgroup/unified' });
    expect(where('name=systemd')?.version).toBe(1);
  });
  it('in hybrid mode counts a controller as v2 only when the unified cgroup.controllers lists it', () => {
    const mounts = parseMountinfo(fixture('mountinfo-hybrid-ci.txt')).filter((m) => m.mountpoint !== '/sys/fs/cgroup/memory');
    const setup = classifySetup({ root: ROOT, rootFsType: TMPFS_MAGIC, mounts, readControllers: () => ['memory', 'cpu'] });
    const unified = setup.hierarchies.find((h) => h.version === 2);
    // cpu is bound to its v1 mount, so only memory is usable through cgroup2
    expect(unified?.controllers).toEqual(['memory']);
  });
  it('sees a cgroup2 root as v2, from statfs alone', () => {
    const setup = classifySetup({
      root: ROOT,
      rootFsType: CGROUP2_SUPER_MAGIC,
      mounts: parseMountinfo(fixture('mountinfo-v2-systemd.txt')),
      readControllers: () => ['cpuset', 'cpu', 'io', 'memory', 'pids'],
    });
    expect(setup).toEqual({
      mode: 'v2',
      root: ROOT,
      hierarchies: [{ version: 2, mountpoint: ROOT, mountRoot: '/', controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] }],
    });
    expect(classifySetup({ root: ROOT, rootFsType: CGROUP2_SUPER_MAGIC, mounts: [], readControllers: () => [] }).mode).toBe('v2');
  });
  it('sees legacy v1 with co-mounted cpu,cpuacct and ignores mounts outside the root', () => {
    const setup = classifySetup({
      root: ROOT,
      rootFsType: TMPFS_MAGIC,
      mounts: parseMountinfo(fixture('mountinfo-v1-comounted.txt')),
      readControllers: () => { throw new Error('no cgroup2 mount to read'); },
    });
    expect(setup.mode).toBe('v1');
    expect(setup.hierarchies.map((h) => h.mountpoint)).toEqual([
      '/sys/fs/cgroup/systemd', '/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/pids',
    ]);
    expect(setup.hierarchies[1]?.controllers).toEqual(['cpu', 'cpuacct']);
  });
  it('fails with NO_CGROUPFS when nothing is mounted under the root', () => {
    expect(() => classifySetup({ root: '/elsewhere', rootFsType: TMPFS_MAGIC, mounts: parseMountinfo(fixture('mountinfo-hybrid-ci.txt')), readControllers: () => [] }))
      .toThrow(expect.objectContaining({ code: 'NO_CGROUPFS', message: 'no cgroup hierarchy mounted under /elsewhere' }));
  });
});

describe('hierarchyDir / ownCgroupPath', () => {
  const hybrid = classifySetup({
    root: ROOT, rootFsType: TMPFS_MAGIC, mounts: parseMountinfo(fixture('mountinfo-hybrid-ci.txt')), readControllers: () => ['hugetlb'],
  });
  const own = parseProcCgroup(fixture('proc-cgroup-hybrid-ci.txt'));
  const h = (c: string) => hybrid.hierarchies.find((x) => x.controllers.includes(c))!;

  it('places each controller below the caller’s own cgroup of that hierarchy', () => {
    expect(hierarchyDir(h('memory'), ownCgroupPath(h('memory'), own))).toBe('/sys/fs/cgroup/memory/process_api/b30054b93f74f0fd545c80278f2ce212');
    expect(hierarchyDir(h('cpu'), ownCgroupPath(h('cpu'), own))).toBe('/sys/fs/cgroup/cpu');
    expect(hierarchyDir(h('hugetlb'), ownCgroupPath(h('hugetlb'), own))).toBe('/sys/fs/cgroup/unified');
  });
  it('strips the mount root of a bind-mounted subtree, and refuses groups the mount cannot show', () => {
    const bind = { version: 1 as const, mountpoint: '/mnt/pids', mountRoot: '/docker/abc', controllers: ['pids'] };
    expect(hierarchyDir(bind, '/docker/abc/inner')).toBe('/mnt/pids/inner');
    expect(() => hierarchyDir(bind, '/other')).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
  });
  it('fails when /proc/self/cgroup has no line for the hierarchy', () => {
    expect(() => ownCgroupPath(h('memory'), [{ id: 0, controllers: [], path: '/' }])).toThrow(/no line for memory/);
  });
});
