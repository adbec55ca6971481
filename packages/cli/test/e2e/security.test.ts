// security.test.ts — root inside a ctr container is not root over the host. The static escape-probe runs
// inside and tries 30-odd escapes; by default every one is blocked, `--privileged` lets the ones that then
// should work succeed (so the probe can see success), and `--cap-add SYS_ADMIN` re-enables the mount and
// namespace class only. Capability sets, no_new_privs, seccomp, --read-only, --userns and fd hygiene are read
// from inside; bad security input is one line and exit 125.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { ctr, defaultRootfs, expectNothingLeaked, startContainer } from '../helpers.js';

interface Probe {
  probe: string;
  result: 'blocked' | 'succeeded' | 'skipped';
  errno?: string;
}

async function probe(flags: string[], extra: string[] = []): Promise<Map<string, Probe>> {
  const r = await ctr(['run', '--net', 'none', ...flags, defaultRootfs, 'escape-probe', '--host-pid', String(process.pid), ...extra], { timeoutMs: 30_000 });
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Probe);
  return new Map(lines.map((p) => [p.probe, p]));
}

/** The mask /proc/PID/status prints for a set of capability numbers. */
const mask = (caps: number[]): string => caps.reduce((m, c) => m | (1n << BigInt(c)), 0n).toString(16).padStart(16, '0');

// Docker's 14: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW
// SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
const dockerCaps = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31];
const mountClass = ['mount-proc', 'mount-sysfs', 'mount-tmpfs', 'remount-root-rw', 'unshare-mount-ns', 'unshare-user-mount', 'sethostname'];
const hostDangerous = ['keyctl', 'reboot', 'kexec-load', 'kexec-file-load', 'finit-module', 'init-module', 'delete-module', 'bpf',
  'perf-event-open', 'open-by-handle-at', 'swapon', 'userfaultfd', 'io-uring', 'pivot-root', 'ptrace-init', 'kill-host-pid',
  'chroot-escape', 'read-foreign', 'mknod-block', 'cgroup-write', 'setns-net'];

describe.skipIf(skipUnless('ctr sandbox hardening end to end', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('ctr run: security', () => {
  expectNothingLeaked();
  const marker = path.join(os.tmpdir(), 'ctr-escape-marker');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-security-'));
  writeFileSync(marker, 'host secret');
  afterAll(() => {
    rmSync(marker, { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('blocks every escape attempt by default, including reading another container', async () => {
    const other = await startContainer('sec-other', ['--net', 'none', defaultRootfs, 'sleep', '30']);
    try {
      const results = await probe([], ['--marker', marker, '--foreign', `/proc/${other.entry.pid}/root/etc/hostname`]);
      expect(results.size).toBeGreaterThanOrEqual(20);
      const notBlocked = [...results.values()].filter((p) => p.result !== 'blocked');
      expect(notBlocked).toEqual([]);
    } finally {
      await other.stop();
    }
  }, 60_000);

  it('--privileged lets the probes that should then work succeed, and ctr ps --json says so', async () => {
    const results = await probe(['--privileged']);
    for (const name of [...mountClass, 'proc-sys-hostname', 'keyctl', 'ptrace-init']) {
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

  it('lets no runtime fd into the container, and the --init binary cannot be opened for writing', async () => {
    const fds = await ctr(['run', '--net', 'none', '--init', defaultRootfs, 'sh', '-c', 'ls /proc/$$/fd']);
    expect(fds.stdout.trim().split(/\s+/).sort()).toEqual(['0', '1', '2']);
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
