// escape-probe.test.ts — the probe program's contract: one valid JSON line per probe, distinct names, exit 0;
// usage errors exit 2. On the host as root most probes get through, which is what makes "blocked" inside a
// container meaningful. The host run happens in throwaway mount/pid/uts/ipc/net namespaces, so what a probe
// mounts or renames dies with them; the dangerous calls (reboot, kexec) carry arguments the kernel refuses
// after its permission check, so "succeeded" there means EINVAL — and this test process is still alive.
// The probes that look for leaks (a host binary running as a container process, a host directory held as an
// fd or cwd, supplementary groups) are shown to find them in a chroot that leaks all three on purpose.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnless, isRoot } from '@ctr/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { programPath, run, runProgram, type Finished } from './run.js';

interface ProbeLine {
  probe: string;
  result: 'blocked' | 'succeeded' | 'skipped' | 'error';
  errno?: string;
  signal?: string;
  detail?: string;
}

/** Every probe, in the order escape-probe runs them. */
const allProbes = [
  'chroot-escape', 'mount-proc', 'mount-sysfs', 'mount-tmpfs', 'remount-root-rw', 'sysrq-trigger', 'proc-sys-hostname',
  'proc-sys-core-pattern', 'read-kcore', 'mknod-block', 'dev-kvm', 'dev-tty1', 'dev-mem', 'dev-kmem', 'finit-module',
  'init-module', 'delete-module', 'kexec-load', 'kexec-file-load', 'reboot', 'keyctl', 'bpf', 'perf-event-open',
  'open-by-handle-at', 'unshare-mount-ns', 'unshare-user-mount', 'setns-net', 'sethostname', 'cgroup-write', 'ptrace-init',
  'kill-host-pid', 'read-foreign', 'pivot-root', 'swapon', 'userfaultfd', 'io-uring', 'socket-af-alg', 'proc-exe-host',
  'fd-host-dir', 'cwd-outside-root', 'setuid-rootfs', 'supplementary-groups',
];

/** Where setuid-rootfs leaves its marker: "/" of whoever runs it, here the host. */
const setuidMarker = '/escape-probe.setuid';

function parseLines(stdout: string): ProbeLine[] {
  const lines = stdout.trimEnd().split('\n');
  return lines.map((line) => JSON.parse(line) as ProbeLine);
}

describe('escape-probe arguments', () => {
  it('refuses an unknown probe name and a missing value with exit 2', async () => {
    for (const args of [['--only', 'no-such-probe'], ['--marker'], ['--host-pid', '0']]) {
      const result = await runProgram('escape-probe', args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^escape-probe: .+\nusage: escape-probe/);
    }
  });
});

describe.skipIf(skipUnless('escape-probe runs every probe on the host', { root: isRoot }))('escape-probe on the host', () => {
  let scratch = '';
  let marker = '';
  let foreign = '';
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'ctr-probe-'));
    marker = join(scratch, 'marker');
    foreign = join(scratch, 'foreign');
    writeFileSync(marker, 'host\n');
    writeFileSync(foreign, 'another container\n');
  });
  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(setuidMarker, { force: true });
  });

  // --mount-proc gives the new PID namespace its own /proc, so PID 1 and /proc/PID are the throwaway ones.
  const throwaway = (args: string[]): Promise<Finished> =>
    run('/usr/bin/unshare', ['-m', '-p', '-f', '-u', '-i', '-n', '--mount-proc', programPath('escape-probe'), ...args]);

  it('prints every probe, by name and in order, as JSON lines and exits 0', async () => {
    const result = await throwaway(['--marker', marker, '--foreign', foreign, '--host-pid', String(process.pid)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = parseLines(result.stdout);
    expect(lines.map((line) => line.probe)).toEqual(allProbes);
    for (const line of lines) expect(['blocked', 'succeeded']).toContain(line.result);
    const byName = new Map(lines.map((line) => [line.probe, line]));
    // As root in plain namespaces, the chroot trick reaches the host file, mounts work, files are readable.
    expect(byName.get('chroot-escape')).toEqual({ probe: 'chroot-escape', result: 'succeeded' });
    expect(byName.get('mount-tmpfs')?.result).toBe('succeeded');
    expect(byName.get('unshare-mount-ns')?.result).toBe('succeeded');
    expect(byName.get('read-foreign')?.result).toBe('succeeded');
    expect(byName.get('cgroup-write')?.result).toBe('succeeded');
    // The wrong magic number makes reboot fail after the CAP_SYS_BOOT check: EINVAL, nothing rebooted.
    expect(byName.get('reboot')).toEqual({ probe: 'reboot', result: 'succeeded', errno: 'EINVAL' });
    // This test process lives outside the new PID namespace: invisible there. A PID inside it is reachable.
    expect(byName.get('kill-host-pid')).toEqual({ probe: 'kill-host-pid', result: 'blocked', errno: 'ESRCH' });
    const visible = await throwaway(['--only', 'kill-host-pid', '--host-pid', '1']);
    expect(parseLines(visible.stdout)).toEqual([{ probe: 'kill-host-pid', result: 'succeeded' }]);
    // Host root with no device rules reaches every driver: kvm and tty1 open, mem and kmem get as far as the
    // mem driver (ENXIO where the kernel has no /dev/mem or /dev/kmem), never EPERM.
    for (const name of ['dev-kvm', 'dev-tty1', 'dev-mem', 'dev-kmem']) expect(byName.get(name)?.result, name).toBe('succeeded');
    // The host's "/" is no overlay: the marker landed in it, set-uid.
    expect(byName.get('setuid-rootfs')).toEqual({ probe: 'setuid-rootfs', result: 'succeeded' });
    expect(statSync(setuidMarker).mode & 0o7777).toBe(0o4755);
  });

  it('finds a host binary running, a host directory held as fd and cwd, and groups nobody asked for', async () => {
    // A root with the probe and /proc only. PID 1 of the new PID namespace is the host's sh (no file of the
    // root); it holds /etc as fd 3 and cwd, and perl chroots without chdir, so the probe inherits both.
    const root = join(scratch, 'root');
    mkdirSync(join(root, 'proc'), { recursive: true });
    copyFileSync(programPath('escape-probe'), join(root, 'escape-probe'));
    const leaky = `mount -t proc proc ${root}/proc && cd /etc && exec 3</etc && perl -e 'chroot(shift) or die; exec {$ARGV[0]} @ARGV' ${root} /escape-probe --only proc-exe-host,fd-host-dir,cwd-outside-root,supplementary-groups; exit $?`;
    const inChroot = await run('/usr/bin/setpriv', ['--groups', '27', '--', '/usr/bin/unshare', '-m', '-p', '-f', '--mount-proc', '/bin/sh', '-c', leaky]);
    expect(inChroot.stderr).toBe('');
    expect(parseLines(inChroot.stdout)).toEqual(
      ['proc-exe-host', 'fd-host-dir', 'cwd-outside-root', 'supplementary-groups'].map((probe) => ({ probe, result: 'succeeded' })),
    );
    // The same probes, run plainly: PID 1 is the probe itself, nothing held above 2, cwd inside, no groups.
    const clean = await run('/usr/bin/setpriv', ['--clear-groups', '--', '/usr/bin/unshare', '-m', '-p', '-f', '--mount-proc', programPath('escape-probe'),
      '--only', 'proc-exe-host,fd-host-dir,cwd-outside-root,supplementary-groups']);
    expect(parseLines(clean.stdout).map((line) => line.result)).toEqual(['blocked', 'blocked', 'blocked', 'blocked']);
  });

  it('runs only the probes named by --only, skips those missing their input, and leaves no scratch behind', async () => {
    const result = await throwaway(['--only', 'mount-tmpfs,read-foreign,kill-host-pid']);
    expect(result.code).toBe(0);
    expect(parseLines(result.stdout)).toEqual([
      { probe: 'mount-tmpfs', result: 'succeeded' },
      { probe: 'kill-host-pid', result: 'skipped' },
      { probe: 'read-foreign', result: 'skipped' },
    ]);
    expect(readdirSync('/tmp').filter((name) => name.startsWith('escape-probe.'))).toEqual([]);
  });

  it('reports a marker that does not exist as a contained chroot escape', async () => {
    const missing = join(scratch, 'absent');
    const result = await throwaway(['--only', 'chroot-escape', '--marker', missing]);
    expect(existsSync(missing)).toBe(false);
    expect(parseLines(result.stdout)).toEqual([{ probe: 'chroot-escape', result: 'blocked', errno: 'ENOENT' }]);
  });
});
