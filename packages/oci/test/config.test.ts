// config.test.ts — config.json → the typed model: ctrun's own default (what `spec` writes), what each
// section becomes, and one clear line naming the JSON path for every malformed or unsupported field.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.js';
import { MS } from '../src/config/mounts.js';
import { RLIM_INFINITY } from '../src/config/process.js';
import { OciError } from '../src/errors.js';
import { defaultSpec } from '../src/spec.js';

type Json = Record<string, any>;
const base = (): Json => structuredClone(defaultSpec()) as Json;
const parse = (config: Json, bundle = '/bundle') => parseConfig(JSON.stringify(config), bundle);
const refusal = (edit: (c: Json) => void): OciError => {
  const config = base();
  edit(config);
  try {
    parse(config);
  } catch (error) {
    expect(error).toBeInstanceOf(OciError);
    expect((error as Error).message).not.toContain('\n');
    return error as OciError;
  }
  throw new Error('config was accepted');
};

describe('the default config.json of `ctrun spec`', () => {
  it('parses into the model', () => {
    const { config, warnings } = parse(base());
    expect(warnings).toEqual([]);
    expect(config.root).toEqual({ path: '/bundle/rootfs', readonly: true });
    expect(config.hostname).toBe('ctrun');
    expect(config.process).toMatchObject({
      args: ['sh'], cwd: '/', terminal: true, noNewPrivileges: true,
      user: { uid: 0, gid: 0, additionalGids: [] },
      capabilities: { bounding: [29, 5, 10], effective: [29, 5, 10], permitted: [29, 5, 10], inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', resource: 7, soft: 1024n, hard: 1024n }],
    });
    expect(config.mounts.map((m) => m.type)).toEqual(['proc', 'tmpfs', 'devpts', 'tmpfs', 'mqueue', 'sysfs', 'cgroup']);
    expect(config.mounts[1]).toMatchObject({ flags: MS.NOSUID | MS.STRICTATIME, data: 'mode=755,size=65536k' });
    expect(config.mounts[5]).toMatchObject({ flags: MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RDONLY, data: '' });
    expect(config.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']);
    expect(config.linux.resources?.devices).toEqual([{ allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' }]);
    expect(config.hooks.prestart).toEqual([]);
  });
});

describe('sections', () => {
  it('mounts: bind and rbind, relative sources from the bundle, flags set and cleared, propagation, data', () => {
    const c = base();
    c.mounts = [
      { destination: '/data', type: 'bind', source: 'data', options: ['rbind', 'ro', 'nosuid', 'rslave'] },
      { destination: 'rel', type: 'none', source: '/host', options: ['bind', 'rw', 'exec'] },
      { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'exec', 'size=1m', 'mode=1777'] },
    ];
    const [a, b, t] = parse(c).config.mounts;
    expect(a).toMatchObject({ destination: '/data', source: '/bundle/data', bind: true, recursive: true, flags: MS.RDONLY | MS.NOSUID, propagation: 'rslave' });
    expect(b).toMatchObject({ destination: '/rel', type: 'bind', source: '/host', recursive: false, flags: 0, clearFlags: MS.RDONLY | MS.NOEXEC });
    expect(t).toMatchObject({ flags: 0, clearFlags: MS.NOEXEC, data: 'size=1m,mode=1777' });
  });

  it('user, umask, additional gids, consoleSize, oomScoreAdj, rlimits at RLIM_INFINITY', () => {
    const c = base();
    c.process.user = { uid: 1000, gid: 100, umask: 0o22, additionalGids: [5, 6] };
    c.process.consoleSize = { height: 24, width: 80 };
    c.process.oomScoreAdj = -500;
    const text = JSON.stringify(c).replace('"hard":1024', '"hard":18446744073709551615');
    const { config } = parseConfig(text, '/b');
    expect(config.process?.user).toEqual({ uid: 1000, gid: 100, umask: 0o22, additionalGids: [5, 6] });
    expect(config.process?.consoleSize).toEqual({ height: 24, width: 80 });
    expect(config.process?.oomScoreAdj).toBe(-500);
    expect(config.process?.rlimits[0]?.hard).toBe(RLIM_INFINITY);
  });

  it('resources map to @ctr/cgroups limits (cpus = quota/period, swap = memory + swap) and device rules', () => {
    const c = base();
    c.linux.resources = {
      cpu: { shares: 512, quota: 50_000, period: 100_000, cpus: '0-1' },
      memory: { limit: 64 << 20, swap: 128 << 20, reservation: 32 << 20 },
      pids: { limit: 32 },
      devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'wr' }],
    };
    expect(parse(c).config.linux.resources).toEqual({
      limits: {
        cpuShares: 512, cpus: 0.5, cpuPeriod: 100_000, cpusetCpus: '0-1', memory: 64 << 20, memorySwap: 128 << 20,
        memoryReservation: 32 << 20, pids: 32,
      },
      devices: [
        { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
        { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' },
      ],
    });
  });

  it('namespaces joined by path, user namespace mappings, devices, cgroupsPath absolute and relative, sysctl, hooks', () => {
    const c = base();
    c.linux.namespaces = [{ type: 'pid' }, { type: 'network', path: '/run/netns/x' }, { type: 'user' }, { type: 'mount' }, { type: 'uts' }];
    c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    c.linux.devices = [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 }];
    c.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
    c.linux.rootfsPropagation = 'rslave';
    c.hooks = { createRuntime: [{ path: '/bin/hook', args: ['hook', 'x'], env: ['A=1'], timeout: 5 }] };
    for (const path of ['/abs/group', 'rel/group']) {
      c.linux.cgroupsPath = path;
      const { linux, hooks } = parse(c).config;
      expect(linux.cgroupsPath).toBe(path);
      expect(linux.namespaces[1]).toEqual({ type: 'network', path: '/run/netns/x' });
      expect(linux.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
      expect(linux.devices[0]).toEqual({ type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 });
      expect(linux.rootfsPropagation).toBe('rslave');
      expect(hooks.createRuntime).toEqual([{ path: '/bin/hook', args: ['hook', 'x'], env: ['A=1'], timeout: 5 }]);
    }
  });

  it('unknown properties are ignored as the spec requires, each named in a warning', () => {
    const c = base();
    c.process.user.readOnly = true;
    c['org.example.extension'] = {};
    expect(parse(c).warnings).toEqual([
      'config.json: org.example.extension is not a property ctrun knows; ignored as the runtime-spec requires',
      'config.json: process.user.readOnly is not a property ctrun knows; ignored as the runtime-spec requires',
    ]);
  });

  it('engines\' empty values for unsupported fields ask for nothing and pass', () => {
    const c = base();
    c.process.apparmorProfile = '';
    c.linux.intelRdt = null;
    c.linux.resources.blockIO = {};
    expect(() => parse(c)).not.toThrow();
  });
});

describe('malformed config.json: one line naming the JSON path', () => {
  it.each<[string, (c: Json) => void, string]>([
    ['uid as a string', (c) => (c.process.user.uid = '0'), 'config.json: process.user.uid must be an integer, got "0"'],
    ['negative gid', (c) => (c.process.user.gid = -1), 'config.json: process.user.gid must be between 0 and 4294967295, got -1'],
    ['args not an array', (c) => (c.process.args = 'sh'), 'config.json: process.args must be an array, got "sh"'],
    ['empty args', (c) => (c.process.args = []), 'config.json: process.args must name the program to run, got []'],
    ['relative cwd', (c) => (c.process.cwd = 'tmp'), 'config.json: process.cwd must be an absolute path, got "tmp"'],
    ['env without =', (c) => (c.process.env = ['PATH']), 'config.json: process.env[0] must be NAME=VALUE, got "PATH"'],
    ['unknown capability', (c) => (c.process.capabilities.bounding = ['CAP_FLY']), 'config.json: process.capabilities.bounding[0] is not a capability name (CAP_CHOWN … CAP_CHECKPOINT_RESTORE), got "CAP_FLY"'],
    ['duplicate rlimit', (c) => c.process.rlimits.push(c.process.rlimits[0]), 'config.json: process.rlimits[1].type repeats RLIMIT_NOFILE'],
    ['soft above hard', (c) => (c.process.rlimits[0].soft = 2048), 'config.json: process.rlimits[0].soft (2048) must not exceed hard (1024)'],
    ['mount without type', (c) => c.mounts.push({ destination: '/x', source: '/y' }), 'config.json: mounts[7].type must be given unless the options contain bind or rbind'],
    ['duplicate namespace', (c) => c.linux.namespaces.push({ type: 'pid' }), 'config.json: linux.namespaces[6].type repeats the pid namespace'],
    ['hostname without uts', (c) => (c.linux.namespaces = [{ type: 'mount' }]), 'config.json: hostname is set but linux.namespaces creates no uts namespace'],
    ['userns without mappings', (c) => c.linux.namespaces.push({ type: 'user' }), 'config.json: linux.namespaces creates a user namespace without linux.uidMappings and linux.gidMappings'],
    ['swap below memory', (c) => (c.linux.resources.memory = { limit: 100, swap: 50 }), 'config.json: linux.resources.memory.swap (50) is memory + swap and must be at least memory.limit (100)'],
    ['device access', (c) => (c.linux.resources.devices[0].access = 'rwx'), 'config.json: linux.resources.devices[0].access must be made of r, w and m, got "rwx"'],
    ['hook timeout 0', (c) => (c.hooks = { poststop: [{ path: '/bin/true', timeout: 0 }] }), 'config.json: hooks.poststop[0].timeout must be between 1 and 9007199254740991, got 0'],
    ['cgroupsPath with ..', (c) => (c.linux.cgroupsPath = '/a/../b'), 'config.json: linux.cgroupsPath must not contain "..", got "/a/../b"'],
    ['ociVersion 2', (c) => (c.ociVersion = '2.0.0'), 'config.json: ociVersion must be a 1.x.y runtime-spec version, got "2.0.0"'],
    ['no root', (c) => delete c.root, 'config.json: root must be an object, got nothing'],
    ['seccomp arch', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['x86_64'] }), 'config.json: linux.seccomp.architectures[0] must be one of SCMP_ARCH_X86, '],
    ['seccomp action', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_MAYBE' }), 'config.json: linux.seccomp.defaultAction: unknown value "SCMP_ACT_MAYBE"'],
  ])('%s', (_, edit, message) => {
    const error = refusal(edit);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('not JSON', () => {
    expect(() => parseConfig('{"ociVersion": ', '/b')).toThrow(/^config\.json: not valid JSON: /);
  });
});

describe('supported by the spec, not by ctrun: refused by name, never ignored', () => {
  it.each<[string, (c: Json) => void]>([
    ['config.json: process.apparmorProfile is not supported by ctrun: AppArmor is not implemented', (c) => (c.process.apparmorProfile = 'docker-default')],
    ['config.json: process.selinuxLabel is not supported by ctrun: SELinux is not implemented', (c) => (c.process.selinuxLabel = 'system_u:system_r:container_t:s0')],
    ['config.json: linux.intelRdt is not supported by ctrun: Intel RDT is not implemented', (c) => (c.linux.intelRdt = { closID: 'x' })],
    ['config.json: linux.resources.hugepageLimits is not supported by ctrun: the hugetlb controller is not driven by ctrun', (c) => (c.linux.resources.hugepageLimits = [{ pageSize: '2MB', limit: 1 }])],
    ['config.json: linux.resources.memory.swappiness is not supported by ctrun: memory.swappiness is not implemented', (c) => (c.linux.resources.memory = { swappiness: 10 })],
    ['config.json: linux.namespaces[6].type is not supported by ctrun: time namespaces are not implemented', (c) => c.linux.namespaces.push({ type: 'time' })],
    ['config.json: mounts[7].type is not supported by ctrun: "overlay" (ctrun mounts bind, proc, sysfs, tmpfs, devpts, mqueue, cgroup, cgroup2)', (c) => c.mounts.push({ destination: '/o', type: 'overlay', source: 'overlay' })],
    ['config.json: mounts[0].options[0] is not supported by ctrun: recursive mount attribute "rro" needs mount_setattr(2), which ctrun does not use', (c) => (c.mounts[0].options = ['rro'])],
    ['config.json: mounts[0].options[0] is not supported by ctrun: idmapped mounts are not implemented', (c) => (c.mounts[0].options = ['idmap'])],
    ['config.json: linux.seccomp.listenerPath is not supported by ctrun: SCMP_ACT_NOTIFY agents are not supported', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock' })],
    ['config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY is not supported', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_NOTIFY' })],
    ['config.json: linux.seccomp.flags is not supported by ctrun', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG'] })],
    ['config.json: linux.cgroupsPath is not supported by ctrun: "system.slice:libpod:abc" is a systemd unit path; ctrun drives cgroupfs only', (c) => (c.linux.cgroupsPath = 'system.slice:libpod:abc')],
    ['config.json: linux.resources.devices[1] is not supported by ctrun: an exception must deny what the default allows', (c) => (c.linux.resources.devices = [{ allow: true, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3 }])],
    ['config.json: linux.resources.devices[0] is not supported by ctrun: the list must start with the default, a *:* rwm (allow or deny)', (c) => (c.linux.resources.devices = [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }])],
    ['config.json: windows is not supported by ctrun: ctrun runs Linux containers', (c) => (c.windows = { layerFolders: [] })],
  ])('%s', (message, edit) => {
    const error = refusal(edit);
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message.startsWith(message)).toBe(true);
  });
});
