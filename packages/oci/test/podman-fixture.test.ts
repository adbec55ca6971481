// podman-fixture.test.ts — a config.json podman really wrote is accepted in full, and its seccomp section
// compiles to a filter that does what the section says.
//
// How fixtures/podman-4.3.1.config.json was captured (Debian 12: podman 4.3.1, conmon 2.1.6, as root, once):
//   apt-get install -y podman
//   tar -C rootfs/default -c . | podman import - localhost/ctr-test
//   a wrapper runtime /tmp/oci-capture/wrapper (sh): appends "$@" to calls.log, answers --version like runc,
//     and on `create --bundle B …` copies B/config.json next to it, then exits 1 ("capture only")
//   podman --runtime /tmp/oci-capture/wrapper --cgroup-manager=cgroupfs --events-backend=file \
//     run --rm localhost/ctr-test true
//   (calls.log: `create --bundle …/userdata --pid-file …/userdata/pidfile ID`, then `delete --force ID`)
//   podman rm -af; podman rmi -f localhost/ctr-test
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileProfile, capabilityNames } from '@ctr/ns-native';
import { evaluate } from '../../ns-native/test/seccomp-bpf.js';
import { AUDIT_ARCH_X86_64, SYSCALLS_X86_64 } from '../../ns-native/lib/seccomp/syscalls.js';
import { parseConfig } from '../src/config/config.js';
import { MS } from '../src/config/mounts.js';

const text = readFileSync(new URL('fixtures/podman-4.3.1.config.json', import.meta.url), 'utf8');
const BUNDLE = '/var/lib/containers/storage/overlay-containers/x/userdata';

describe('podman 4.3.1 run --rm IMAGE true', () => {
  const { config, warnings } = parseConfig(text, BUNDLE);

  it('every property is known (no warning but the other ABIs\' syscall names)', () => {
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^config\.json: linux\.seccomp: \d+ syscall names unknown on x86_64 and aarch64 are skipped: bdflush, /);
  });

  it('process, root, hostname, annotations', () => {
    expect(config.root.path).toMatch(/^\/var\/lib\/containers\/storage\/overlay\/[0-9a-f]+\/merged$/);
    expect(config.process).toMatchObject({ args: ['true'], cwd: '/', user: { uid: 0, gid: 0, umask: 0o22 }, terminal: false });
    expect(config.process?.capabilities.bounding).toContain(capabilityNames.CAP_NET_BIND_SERVICE);
    expect(config.process?.rlimits.map((r) => [r.type, r.soft])).toEqual([['RLIMIT_NOFILE', 1048576n], ['RLIMIT_NPROC', 32768n]]);
    expect(config.hostname).toMatch(/^[0-9a-f]{12}$/);
    expect(config.annotations['io.container.manager']).toBe('libpod');
  });

  it('mounts: devpts data, bind mounts of the userdata files, the read-only cgroup mount', () => {
    const by = (dest: string) => config.mounts.find((m) => m.destination === dest)!;
    expect(by('/dev/pts')).toMatchObject({ type: 'devpts', flags: MS.NOSUID | MS.NOEXEC, data: 'newinstance,ptmxmode=0666,mode=0620,gid=5' });
    expect(by('/etc/hosts')).toMatchObject({ type: 'bind', bind: true, recursive: false, propagation: 'rprivate' });
    expect(by('/dev/shm')).toMatchObject({ bind: true, flags: MS.NOSUID | MS.NOEXEC | MS.NODEV });
    expect(by('/sys/fs/cgroup')).toMatchObject({ type: 'cgroup', flags: MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RELATIME | MS.RDONLY });
  });

  it('linux: the joined network namespace, cgroupsPath, pids limit, deny-all devices, sysctl, masked paths', () => {
    expect(config.linux.namespaces.find((n) => n.type === 'network')?.path).toMatch(/^\/run\/netns\/netns-/);
    expect(config.linux.cgroupsPath).toMatch(/^\/libpod_parent\/libpod-[0-9a-f]{64}$/);
    expect(config.linux.resources).toEqual({
      limits: { pids: 2048 },
      devices: [{ allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' }],
    });
    expect(config.linux.sysctl).toEqual({ 'net.ipv4.ping_group_range': '0 0' });
    expect(config.linux.maskedPaths).toContain('/proc/kcore');
    expect(config.linux.readonlyPaths).toContain('/proc/sys');
  });

  it('its seccomp section compiles, and the filter allows, refuses with the given errno and checks arguments', () => {
    const profile = config.linux.seccomp!;
    const caps = config.process!.capabilities.bounding;
    const filter = compileProfile(profile, { arch: 'x86_64', capabilities: caps, kernelRelease: '6.1.0' });
    const SECCOMP_RET_ALLOW = 0x7fff0000;
    const errno = (n: number) => (0x00050000 | n) >>> 0;
    const call = (name: string, args: bigint[] = []) =>
      evaluate(filter, { nr: SYSCALLS_X86_64[name as keyof typeof SYSCALLS_X86_64]!, arch: AUDIT_ARCH_X86_64, args }) >>> 0;
    expect(call('read')).toBe(SECCOMP_RET_ALLOW);
    expect(call('swapon')).toBe(errno(1)); // listed with errnoRet 1 (EPERM)
    expect(call('init_module')).toBe(errno(1));
    expect(call('add_key')).toBe(errno(38)); // not listed: defaultAction ERRNO, defaultErrnoRet 38 (ENOSYS)
    // personality is allowed for five exact personas only; any other falls to the default
    expect(call('personality', [0n])).toBe(SECCOMP_RET_ALLOW);
    expect(call('personality', [0xffffffffn])).toBe(SECCOMP_RET_ALLOW);
    expect(call('personality', [0x1234n])).toBe(errno(38));
    // socket(AF_NETLINK, *, NETLINK_AUDIT) fails with EINVAL (22); other netlink families pass
    expect(call('socket', [16n, 3n, 9n])).toBe(errno(22));
    expect(call('socket', [16n, 3n, 0n])).toBe(SECCOMP_RET_ALLOW);
    expect(call('socket', [2n, 1n, 9n])).toBe(SECCOMP_RET_ALLOW);
  });
});
