// security.test.ts — root inside a ctr container is not root over the host. The static escape-probe runs
// inside and tries 42 escapes, pinned by name below; by default every one is blocked, and for each one the
// switch that turns its protection off (`--privileged`, `--security-opt seccomp=unconfined`, `--cap-add …`)
// makes it answer as host root does, so no probe is blocked for a reason of its own. Capability sets,
// no_new_privs, seccomp (the default and a profile of one's own), every masked and read-only path, --read-only
// and --userns are read from inside; bad security input is one line and exit 125.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { maskedPaths, readonlyPaths } from '../../src/runtime/security.js';
import { ctr, defaultRootfs, demoBuild, expectNothingLeaked, host, startContainer } from '../helpers.js';

interface Probe {
  probe: string;
  result: 'blocked' | 'succeeded' | 'skipped';
  errno?: string;
  detail?: string;
}

const parseProbes = (stdout: string): Map<string, Probe> =>
  new Map(stdout.trim().split('\n').map((l) => JSON.parse(l) as Probe).map((p) => [p.probe, p]));

async function probe(flags: string[], extra: string[] = ['--host-pid', String(process.pid)]): Promise<Map<string, Probe>> {
  const r = await ctr(['run', '--net', 'none', ...flags, defaultRootfs, 'escape-probe', ...extra], { timeoutMs: 30_000 });
  expect(r.code, r.stderr).toBe(0);
  return parseProbes(r.stdout);
}

const seccompOff = ['--security-opt', 'seccomp=unconfined'];
const privileged = ['--privileged'];

/**
 * Every probe escape-probe runs, in its order, with the switch that turns off what blocks it. `null`: no switch
 * does, and why. The demo-apps host test shows each of those can report `succeeded` where the leak exists.
 */
const switches: Record<string, string[] | null> = {
  // pivot_root leaves no outer root to climb back to; --privileged pivots too.
  'chroot-escape': null,
  'mount-proc': ['--cap-add', 'SYS_ADMIN'],
  'mount-sysfs': ['--cap-add', 'SYS_ADMIN'],
  'mount-tmpfs': ['--cap-add', 'SYS_ADMIN'],
  'remount-root-rw': ['--cap-add', 'SYS_ADMIN'],
  // Masked and read-only paths have no switch of their own.
  'sysrq-trigger': privileged,
  'proc-sys-hostname': privileged,
  'proc-sys-core-pattern': privileged,
  'read-kcore': privileged,
  'mknod-block': privileged,
  'dev-kvm': privileged,
  'dev-tty1': privileged,
  'dev-mem': privileged,
  'dev-kmem': privileged,
  'finit-module': privileged,
  'init-module': privileged,
  'delete-module': privileged,
  'kexec-load': privileged,
  'kexec-file-load': privileged,
  reboot: ['--cap-add', 'SYS_BOOT'],
  keyctl: seccompOff,
  bpf: [...seccompOff, '--cap-add', 'SYS_ADMIN'],
  'perf-event-open': [...seccompOff, '--cap-add', 'SYS_ADMIN'],
  'open-by-handle-at': [...seccompOff, '--cap-add', 'DAC_READ_SEARCH'],
  'unshare-mount-ns': ['--cap-add', 'SYS_ADMIN'],
  'unshare-user-mount': ['--cap-add', 'SYS_ADMIN'],
  // Into its own network namespace (/proc/1/ns/net): the door is what counts, the host's is out of sight.
  'setns-net': ['--cap-add', 'SYS_ADMIN'],
  sethostname: ['--cap-add', 'SYS_ADMIN'],
  // ctr mounts no cgroupfs inside, whatever the switches: ENOENT even with --privileged.
  'cgroup-write': null,
  'ptrace-init': ['--cap-add', 'SYS_PTRACE'],
  // The PID namespace has no switch: no process outside, so nothing of another container, is ever visible.
  'kill-host-pid': null,
  'read-foreign': null,
  'pivot-root': [...seccompOff, '--cap-add', 'SYS_ADMIN'],
  swapon: [...seccompOff, '--cap-add', 'SYS_ADMIN'],
  userfaultfd: [...seccompOff, '--cap-add', 'SYS_PTRACE'],
  'io-uring': seccompOff,
  'socket-af-alg': seccompOff,
  // No switch makes ctr run its own binary, keep a host fd, start in a host directory or keep the caller's
  // groups: host-leaks.test.ts makes each possible from outside and looks for it.
  'proc-exe-host': null,
  'fd-host-dir': null,
  'cwd-outside-root': null,
  // Whether the rootfs tree changed only the host can see: the default test and the --rootfs-rw one look for
  // the marker there.
  'setuid-rootfs': null,
  'supplementary-groups': null,
};
const allProbes = Object.keys(switches);
const setuidMarker = path.join(defaultRootfs, 'escape-probe.setuid');

/** The mask /proc/PID/status prints for a set of capability numbers. */
const mask = (caps: number[]): string => caps.reduce((m, c) => m | (1n << BigInt(c)), 0n).toString(16).padStart(16, '0');

// Docker's 14: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW
// SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
const dockerCaps = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31];
const mountClass = ['mount-proc', 'mount-sysfs', 'mount-tmpfs', 'remount-root-rw', 'unshare-mount-ns', 'unshare-user-mount', 'sethostname'];
const hostDangerous = ['keyctl', 'reboot', 'kexec-load', 'kexec-file-load', 'finit-module', 'init-module', 'delete-module', 'bpf',
  'perf-event-open', 'open-by-handle-at', 'swapon', 'userfaultfd', 'io-uring', 'pivot-root', 'ptrace-init', 'kill-host-pid',
  'chroot-escape', 'read-foreign', 'mknod-block', 'cgroup-write', 'setns-net', 'dev-kvm', 'dev-tty1', 'dev-mem', 'dev-kmem'];

describe.skipIf(skipUnless('ctr sandbox hardening end to end', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('ctr run: security', () => {
  expectNothingLeaked();
  const marker = path.join(os.tmpdir(), 'ctr-escape-marker');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-security-'));
  writeFileSync(marker, 'host secret');
  afterAll(() => {
    rmSync(marker, { force: true });
    rmSync(dir, { recursive: true, force: true });
    rmSync(setuidMarker, { force: true });
  });

  // Depends on the device allow-list (dev-*) and the per-container writable layer (setuid-rootfs).
  it('blocks every escape attempt by default, including reading another container and writing the rootfs', async () => {
    const other = await startContainer('sec-other', ['--net', 'none', defaultRootfs, 'sleep', '30']);
    try {
      rmSync(setuidMarker, { force: true });
      const results = await probe([], ['--host-pid', String(process.pid), '--marker', marker, '--foreign', `/proc/${other.entry.pid}/root/etc/hostname`]);
      expect([...results.keys()]).toEqual(allProbes);
      const notBlocked = [...results.values()].filter((p) => p.result !== 'blocked');
      expect(notBlocked).toEqual([]);
      // The probe wrote a setuid file into its "/": the rootfs on the host must not have it.
      expect(existsSync(setuidMarker)).toBe(false);
    } finally {
      await other.stop();
    }
  }, 60_000);

  // Depends on the per-container writable layer, which brings --rootfs-rw.
  it('--rootfs-rw lets setuid-rootfs write the rootfs itself, and the host finds the marker there', async () => {
    rmSync(setuidMarker, { force: true });
    const results = await probe(['--rootfs-rw'], ['--only', 'setuid-rootfs']);
    expect(results.get('setuid-rootfs')).toEqual({ probe: 'setuid-rootfs', result: 'succeeded' });
    expect(statSync(setuidMarker).mode & 0o7777).toBe(0o4755);
    rmSync(setuidMarker);
  });

  it('lets each probe through once the switch for its protection is on, as far as this kernel lets host root', async () => {
    // What root gets from this kernel in throwaway namespaces: ENOSYS for modules and kexec where they are
    // compiled out, EPERM for block devices in this sandbox, ENOENT for a /proc/kcore the kernel lacks.
    const switchable = allProbes.filter((name) => switches[name]);
    const escapeProbe = path.join(demoBuild, 'escape-probe');
    const reference = await host('unshare', ['-m', '-p', '-f', '-u', '-i', '-n', '--mount-proc', escapeProbe, '--only', switchable.join(',')]);
    expect(reference.code, reference.stderr).toBe(0);
    const onHost = parseProbes(reference.stdout);
    const bySwitch = new Map<string, string[]>();
    for (const name of switchable) {
      const flags = switches[name]!.join(' ');
      bySwitch.set(flags, [...(bySwitch.get(flags) ?? []), name]);
    }
    const mismatches: string[] = [];
    for (const [flags, names] of bySwitch) {
      const inside = await probe(flags.split(' '), ['--only', names.join(',')]);
      for (const name of names) {
        const want = onHost.get(name)!;
        const got = inside.get(name)!;
        const same = want.result === 'succeeded' ? got.result === 'succeeded' : got.result === want.result && got.errno === want.errno;
        if (!same) mismatches.push(`${name} with ${flags}: ${JSON.stringify(got)}, host root: ${JSON.stringify(want)}`);
      }
    }
    expect(mismatches).toEqual([]);
    // Not a kernel where nothing works: most of them really get through.
    expect(switchable.filter((name) => onHost.get(name)!.result === 'succeeded').length).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('--privileged lets the probes that should then work succeed, device nodes included, and ctr ps --json says so', async () => {
    const results = await probe(['--privileged']);
    for (const name of [...mountClass, 'proc-sys-hostname', 'keyctl', 'ptrace-init', 'dev-kvm', 'dev-tty1', 'dev-mem', 'dev-kmem']) {
      expect(results.get(name)?.result, name).toBe('succeeded');
    }
    const run = await startContainer('sec-priv', ['--net', 'none', '--privileged', defaultRootfs, 'sleep', '30']);
    try {
      const ps = JSON.parse((await ctr(['ps', '--json'])).stdout) as { name: string; security: { privileged: boolean } }[];
      expect(ps.find((c) => c.name === 'sec-priv')?.security.privileged).toBe(true);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('--cap-add SYS_ADMIN re-enables exactly the mount and namespace class', async () => {
    const results = await probe(['--cap-add', 'SYS_ADMIN']);
    for (const name of mountClass) expect(results.get(name)?.result, name).toBe('succeeded');
    for (const name of hostDangerous.filter((n) => n !== 'read-foreign')) expect(results.get(name)?.result, name).toBe('blocked');
  });

  it('--read-only keeps / read-only even against a remount, with a writable /tmp', async () => {
    const results = await probe(['--read-only']);
    expect(results.get('remount-root-rw')?.result).toBe('blocked');
    const r = await ctr(['run', '--net', 'none', '--read-only', defaultRootfs, 'sh', '-c', 'touch /x 2>&1; touch /tmp/y && echo tmp-writable']);
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toMatch(/tmp-writable/);
  });

  it('holds exactly the expected capability sets, no_new_privs and a seccomp filter', async () => {
    const status = async (flags: string[]): Promise<Record<string, string>> => {
      const r = await ctr(['run', '--net', 'none', ...flags, defaultRootfs, 'cat', '/proc/self/status']);
      return Object.fromEntries(r.stdout.split('\n').map((l) => l.split(':\t')).filter((kv) => kv.length === 2).map(([k, v]) => [k!, v!.trim()]));
    };
    const plain = await status([]);
    for (const set of ['CapBnd', 'CapPrm', 'CapEff']) expect(plain[set], set).toBe(mask(dockerCaps));
    expect(plain.CapInh).toBe(mask([]));
    expect(plain.CapAmb).toBe(mask([]));
    expect(plain.NoNewPrivs).toBe('1');
    expect(plain.Seccomp).toBe('2');

    const tuned = await status(['--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE', '--security-opt', 'seccomp=unconfined']);
    expect(tuned.CapEff).toBe(mask([10]));
    expect(tuned.CapBnd).toBe(mask([10]));
    expect(tuned.Seccomp).toBe('0');

    // Without no_new_privs the filter is still installed (before the capabilities go, with CAP_SYS_ADMIN).
    const privs = await status(['--security-opt', 'no-new-privileges=false']);
    expect(privs.NoNewPrivs).toBe('0');
    expect(privs.Seccomp).toBe('2');
  });

  it('applies a seccomp profile given as a file: what it denies fails inside with the errno it names', async () => {
    const profile = path.join(dir, 'deny-mkdir-uname.json');
    // EXDEV and ENOSYS: errnos nothing else would give for these calls, so they can only come from this profile.
    writeFileSync(profile, JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 18 },
        { names: ['uname'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
      ],
    }));
    const script = 'mkdir /tmp/ctr-seccomp-probe 2>&1 && rmdir /tmp/ctr-seccomp-probe && echo made; uname -s 2>&1';
    const denied = await ctr(['run', '--net', 'none', '--security-opt', `seccomp=${profile}`, defaultRootfs, 'sh', '-c', script]);
    expect(denied.stdout).toMatch(/Invalid cross-device link/);
    expect(denied.stdout).toMatch(/Function not implemented/);
    const allowed = await ctr(['run', '--net', 'none', defaultRootfs, 'sh', '-c', script]);
    expect(allowed.stdout).toBe('made\nLinux\n');
  });

  it('masks every default masked path and makes every default read-only path read-only', async () => {
    // Lists from the runtime itself. A path this kernel lacks on the host must be absent inside too.
    const masked = maskedPaths.join(' ');
    const readonly = readonlyPaths.join(' ');
    const script = [
      `for p in ${masked}; do`,
      '  if [ ! -e $p ]; then echo "$p absent"',
      // A directory: an empty read-only tmpfs. A file: /dev/null (char 1:3), nothing to read.
      '  elif [ -d $p ]; then echo "$p dir $(stat -f -c %T $p) $(ls -A $p | wc -l) $( (: > $p/.ctr-probe) 2>&1 | sed "s/.*: //")"',
      '  else echo "$p file $(stat -c %t:%T $p) $(wc -c < $p)"; fi',
      'done',
      // Setting the path's own times writes nothing procfs keeps, and a read-only mount refuses it first.
      `for p in ${readonly}; do`,
      '  if [ ! -e $p ]; then echo "$p absent"; else echo "$p $(touch -c $p 2>&1 | sed "s/.*: //")"; fi',
      'done',
    ].join('\n');
    const r = await ctr(['run', '--net', 'none', defaultRootfs, 'sh', '-c', script]);
    expect(r.code, r.stderr).toBe(0);
    const seen = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.split(' ')[0]!, l.slice(l.indexOf(' ') + 1)]));
    const expected: Record<string, string> = {};
    for (const p of maskedPaths) {
      if (!existsSync(p)) expected[p] = 'absent';
      else expected[p] = statSync(p).isDirectory() ? 'dir tmpfs 0 Read-only file system' : 'file 1:3 0';
    }
    for (const p of readonlyPaths) expected[p] = existsSync(p) ? 'Read-only file system' : 'absent';
    expect(seen).toEqual(expected);
    // Not a kernel without any of them: most really exist and are masked or read-only.
    expect([...maskedPaths, ...readonlyPaths].filter((p) => existsSync(p)).length).toBeGreaterThanOrEqual(8);
  });

  it('with --userns the host sees container root as the mapped uid, and files stay root-owned inside', async () => {
    const run = await startContainer('sec-userns', ['--net', 'none', '--userns', '200000:65536', defaultRootfs, 'sh', '-c', 'id -u; stat -c %u /bin/sh; sleep 30'], '\n');
    try {
      const uid = readFileSync(`/proc/${run.entry.pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1];
      expect(uid).toBe('200000');
    } finally {
      const r = await run.stop();
      expect(r.stdout.split('\n').slice(0, 2)).toEqual(['0', '0']);
    }
  }, 60_000);

  // Which fds reach the container: host-leaks.test.ts.
  it('the --init binary cannot be opened for writing', async () => {
    const exe = await ctr(['run', '--net', 'none', '--init', '--privileged', defaultRootfs, 'sh', '-c', '(exec 3>>/proc/1/exe) 2>/dev/null && echo writable || echo refused']);
    expect(exe.stdout.trim()).toBe('refused');
  });

  const profileDir = dir;
  const bad: [string, string[], RegExp][] = [
    ['an unknown capability', ['--cap-add', 'CAP_FLY'], /unknown capability "CAP_FLY"/],
    ['an unknown dropped capability', ['--cap-drop', 'nope'], /unknown capability "nope"/],
    ['an unreadable seccomp profile', ['--security-opt', `seccomp=${path.join(profileDir, 'missing.json')}`], /missing\.json/],
    ['a malformed seccomp profile', ['--security-opt', `seccomp=${path.join(profileDir, 'broken.json')}`], /broken\.json/],
    ['an unknown security option', ['--security-opt', 'apparmor=x'], /invalid --security-opt "apparmor=x"/],
    ['a uid range mapping host root', ['--userns', '0:65536'], /must not map to host root/],
    ['an empty uid range', ['--userns', '100000:0'], /at least 1 id/],
    ['a uid range past the last id', ['--userns', '4294967000:65536'], /past the last id/],
    ['a malformed uid range', ['--userns', 'lots'], /invalid --userns "lots"/],
  ];
  for (const [what, flags, message] of bad) {
    it(`refuses ${what} in one line with exit 125`, async () => {
      writeFileSync(path.join(profileDir, 'broken.json'), '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}');
      const r = await ctr(['run', '--net', 'none', ...flags, defaultRootfs, 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
