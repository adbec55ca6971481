// bad-input.test.ts — the bad-input matrix: wrong names, ids, paths, sizes, CPU counts, addresses, ports,
// capabilities, seccomp profiles, devices, signals, tarballs (truncated, huge, hostile, not a tar) for every ctr
// verb, and bad arguments for ctrun (packages/oci). Each must fail with its documented status (125 for ctr; 1
// for a verb acting on NAMEs that were not found, as docker; 1 for ctrun, as runc), exactly one line on stderr naming the value, no stack trace, and no side effect at all:
// the host (cgroups, veths, the standing bridge, parent cgroups, mounts, state, leases, data and rootfs dirs)
// is the same before and after. The bridge and the parent cgroups are removed first, so that a check made
// after creating them shows.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { ctrParentGroups } from '../cgroup-tree.js';
import { ctr, defaultRootfs, expectNothingLeaked, host, hostSnapshot } from '../helpers.js';

const ctrun = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../oci/dist/cli.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-bad-'));
const f = (name: string): string => path.join(dir, name);
const rootfsStore = path.resolve(defaultRootfs, '..');

interface Case {
  args: string[];
  /** text stderr must name (the bad value) */
  names: string;
  /** exit status (default 125) */
  code?: number;
  /** run through ctrun instead of ctr */
  ctrun?: boolean;
  /**
   * The value is found bad only while it is read (a tarball's content): progress lines may come before the
   * one error line, which is then the last.
   */
  progress?: boolean;
}

const R = defaultRootfs;
const run = (...flags: string[]): string[] => ['run', '--rm', ...flags, R, 'true'];

const cases: Case[] = [
  // names and ids
  { args: ['run', '--name', 'bad/name', R, 'true'], names: 'bad/name' },
  { args: ['run', '--name', '-lead', R, 'true'], names: '-lead' },
  { args: ['run', '--name', 'x'.repeat(64), R, 'true'], names: 'x'.repeat(64) },
  { args: ['run', '--name', '../etc', R, 'true'], names: '../etc' },
  { args: ['create', '--name', 'a b', R, 'true'], names: 'a b' },
  { args: ['run', '-h', 'bad_host!', R, 'true'], names: 'bad_host!' },
  { args: ['run', '-h', 'h'.repeat(65), R, 'true'], names: 'h'.repeat(65) },
  { args: ['start', 'no-such-ctr'], names: 'no-such-ctr', code: 1 },
  { args: ['exec', 'no-such-ctr', 'true'], names: 'no-such-ctr' },
  { args: ['attach', 'no-such-ctr'], names: 'no-such-ctr' },
  { args: ['logs', 'no-such-ctr'], names: 'no-such-ctr' },
  { args: ['stop', 'no-such-ctr'], names: 'no-such-ctr', code: 1 },
  { args: ['kill', 'no-such-ctr'], names: 'no-such-ctr', code: 1 },
  { args: ['wait', 'no-such-ctr'], names: 'no-such-ctr', code: 1 },
  { args: ['rm', 'no-such-ctr'], names: 'no-such-ctr', code: 1 },
  { args: ['inspect', 'no-such-ctr'], names: 'no-such-ctr' },
  { args: ['stats', '--no-stream', 'no-such-ctr'], names: 'no-such-ctr' },
  { args: ['rm', '../../etc/passwd'], names: '../../etc/passwd', code: 1 },
  // paths
  { args: ['run', '--rm', '/no/such/rootfs', 'true'], names: '/no/such/rootfs' },
  { args: ['run', '--rm', f('a-file'), 'true'], names: f('a-file') },
  { args: ['run', '--rm', '-w', 'relative/dir', R, 'true'], names: 'relative/dir' },
  { args: ['rootfs', 'build', '--out', f('a-file')], names: f('a-file') },
  { args: ['rootfs', 'build', '--name', '../escape'], names: '../escape' },
  { args: ['rootfs', 'build', '--from-tar', '/no/such.tar', '--out', f('out-missing')], names: '/no/such.tar' },
  // tarballs
  { args: ['rootfs', 'build', '--from-tar', f('truncated.tar'), '--out', f('out-trunc')], names: 'truncated.tar', progress: true },
  { args: ['rootfs', 'build', '--from-tar', f('huge.tar'), '--out', f('out-huge')], names: 'huge.tar', progress: true },
  { args: ['rootfs', 'build', '--from-tar', f('garbage.tar'), '--out', f('out-garbage')], names: 'garbage.tar', progress: true },
  { args: ['rootfs', 'build', '--from-tar', f('empty.tar'), '--out', f('out-empty')], names: 'empty.tar', progress: true },
  { args: ['rootfs', 'build', '--from-tar', f('truncated.tar.gz'), '--out', f('out-gz')], names: 'truncated.tar.gz', progress: true },
  // sizes, CPUs, pids
  { args: run('--memory', 'lots'), names: 'lots' },
  { args: run('--memory', '-5m'), names: '-5m' },
  { args: run('--memory', '1k'), names: '1k' },
  { args: run('--memory', '64m', '--memory-swap', '32m'), names: '32m' },
  { args: run('--memory-swap', 'x'), names: 'x' },
  { args: run('--cpus', 'many'), names: 'many' },
  { args: run('--cpus', '-1'), names: '-1' },
  { args: run('--cpus', '0'), names: '0' },
  { args: run('--cpus', '100000'), names: '100000' },
  { args: run('--pids-limit', '1.5'), names: '1.5' },
  { args: run('--pids-limit', 'abc'), names: 'abc' },
  // network: modes, addresses, ports
  { args: run('--net', 'host'), names: 'host' },
  { args: run('--ip', '10.88.0.300'), names: '10.88.0.300' },
  { args: run('--ip', '192.168.1.5'), names: '192.168.1.5' },
  { args: run('--ip', '10.88.0.1'), names: '10.88.0.1' },
  { args: run('--ip', '10.88.0.0'), names: '10.88.0.0' },
  { args: run('--ip', '10.88.0.5/16'), names: '10.88.0.5/16' },
  { args: run('--net', 'none', '--ip', '10.88.0.5'), names: '--ip' },
  { args: ['run', '--rm', '-p', '80', R, 'true'], names: '80' },
  { args: ['run', '--rm', '-p', '0:80', R, 'true'], names: '0:80' },
  { args: ['run', '--rm', '-p', '8080:70000', R, 'true'], names: '70000' },
  { args: ['run', '--rm', '-p', '8080:80/udp', R, 'true'], names: '8080:80/udp' },
  { args: ['run', '--rm', '-p', '300.1.1.1:8080:80', R, 'true'], names: '300.1.1.1' },
  { args: ['run', '-d', '-p', '8080:80', R, 'true'], names: '--publish' },
  { args: ['run', '--rm', '--net', 'none', '-p', '8080:80', R, 'true'], names: '--publish' },
  { args: run('--env', '1BAD=x'), names: '1BAD=x' },
  // capabilities, seccomp, devices, userns, other flags
  { args: run('--cap-add', 'CAP_FLY'), names: 'CAP_FLY' },
  { args: run('--cap-drop', 'nonsense'), names: 'nonsense' },
  { args: run('--security-opt', 'seccomp=/no/such/profile.json'), names: '/no/such/profile.json' },
  { args: run('--security-opt', `seccomp=${f('malformed.json')}`), names: 'malformed.json' },
  { args: run('--security-opt', `seccomp=${f('wrong-types.json')}`), names: 'wrong-types.json' },
  { args: run('--security-opt', 'apparmor=x'), names: 'apparmor=x' },
  { args: run('--device', '/dev/no-such-device'), names: '/dev/no-such-device' },
  { args: run('--device', `${f('a-file')}`), names: 'a-file' },
  { args: run('--device', '/dev/null:relative'), names: 'relative' },
  { args: run('--device', '/dev/null:/dev/null:rwz'), names: 'rwz' },
  { args: run('--userns', 'sometimes'), names: 'sometimes' },
  { args: run('--restart', 'always'), names: 'always' },
  { args: run('--rootfs-rw', '--read-only'), names: '--read-only' },
  { args: run('--bogus-flag'), names: '--bogus-flag' },
  // other verbs
  { args: ['kill', '-s', 'SIGNOPE', 'no-such-ctr'], names: 'SIGNOPE' },
  { args: ['stop', '-t', 'soon', 'no-such-ctr'], names: 'soon' },
  { args: ['stop', '-t', '-3', 'no-such-ctr'], names: '-3' },
  { args: ['logs', '--tail', 'some', 'no-such-ctr'], names: 'some' },
  { args: ['ps', '--format', 'table'], names: '--format' },
  { args: ['ps', 'extra-arg'], names: 'extra-arg' },
  { args: ['stats', '--bogus'], names: '--bogus' },
  { args: ['check', '--bogus'], names: '--bogus' },
  { args: ['demo', '--only', 'teleport'], names: 'teleport' },
  { args: ['demo', '/no/such/rootfs'], names: '/no/such/rootfs' },
  { args: ['frobnicate'], names: 'frobnicate' },
  // ctrun (runc's habits: status 1)
  // runc's words, which engines match
  { args: ['state', 'no-such-id'], names: 'container does not exist', code: 1, ctrun: true },
  { args: ['state', '../x'], names: '../x', code: 1, ctrun: true },
  { args: ['frobnicate'], names: 'frobnicate', code: 1, ctrun: true },
  { args: ['--log-format', 'xml', 'list'], names: 'xml', code: 1, ctrun: true },
  { args: ['list', '--format', 'yaml'], names: 'yaml', code: 1, ctrun: true },
  { args: ['spec', '--bundle', '/no/such/bundle'], names: '/no/such/bundle', code: 1, ctrun: true },
];

/** The host as a bad input could change it: the leak snapshot plus what is shared by all containers. */
function worldSnapshot(): Record<string, string[]> {
  const list = (p: string): string[] => (existsSync(p) ? readdirSync(p).sort() : []);
  return {
    ...hostSnapshot(),
    bridge: existsSync('/sys/class/net/ctr0') ? ['ctr0'] : [],
    parentCgroups: ctrParentGroups().sort(),
    data: list('/var/lib/ctr'),
    run: list('/run/ctr'),
    ipam: list('/run/ctr/ipam'),
    rootfsStore: list(rootfsStore),
    fixtures: list(dir),
  };
}

/** Tarballs and profiles the cases import. */
function makeFixtures(): void {
  writeFileSync(f('a-file'), 'not a directory\n');
  mkdirSync(f('src/etc'), { recursive: true });
  writeFileSync(f('src/etc/hostname'), 'x\n');
  // Random: incompressible, so a cut gzip stream ends inside it too.
  writeFileSync(f('src/big'), randomBytes(64 * 1024));
  execFileSync('tar', ['-cf', f('good.tar'), '-C', f('src'), '.']);
  // Cut in the middle of big's data.
  writeFileSync(f('truncated.tar'), readFileSync(f('good.tar')).subarray(0, 20 * 1024));
  execFileSync('sh', ['-c', `gzip -c ${f('good.tar')} | head -c 2000 > ${f('truncated.tar.gz')}`]);
  // A header that claims an 8 GiB member, followed by nothing.
  execFileSync('sh', ['-c', `truncate -s 8G ${f('src-huge')} && tar -cf - -C ${dir} src-huge | head -c 4096 > ${f('huge.tar')} && rm ${f('src-huge')}`]);
  writeFileSync(f('garbage.tar'), Buffer.alloc(3000, 0x41));
  writeFileSync(f('empty.tar'), '');
  writeFileSync(f('malformed.json'), '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [');
  writeFileSync(f('wrong-types.json'), JSON.stringify({ defaultAction: 42, syscalls: 'all' }));
  rmSync(f('src'), { recursive: true });
}

describe.skipIf(skipUnless('the bad-input matrix', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs), ctrun: existsSync(ctrun) }))('bad input on every verb', () => {
  expectNothingLeaked();
  beforeAll(() => {
    makeFixtures();
    // ctr's own standing pieces go, so that making them for a bad request shows (nothing runs: we hold the lock).
    if (existsSync('/sys/class/net/ctr0')) execFileSync('ip', ['link', 'del', 'ctr0']);
    for (const group of ctrParentGroups()) {
      if (readdirSync(group, { withFileTypes: true }).every((e) => !e.isDirectory())) rmdirSync(group);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`has at least 60 cases (${cases.length}) over every verb`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const verbs = new Set(cases.filter((c) => !c.ctrun).map((c) => c.args[0]));
    for (const verb of ['run', 'create', 'start', 'exec', 'attach', 'logs', 'stop', 'kill', 'wait', 'rm', 'inspect', 'ps', 'stats', 'rootfs', 'check', 'demo']) {
      expect(verbs, verb).toContain(verb);
    }
    expect(statSync(f('huge.tar')).size).toBe(4096);
  });

  for (const c of cases) {
    it(`${c.ctrun ? 'ctrun' : 'ctr'} ${c.args.map((a) => a.replace(dir, '$TMP').replace(R, 'ROOTFS')).join(' ')}: exit ${c.code ?? 125}, one line naming ${c.names.replace(dir, '$TMP')}, nothing changed`, async () => {
      const before = worldSnapshot();
      const r = c.ctrun ? await host(process.execPath, [ctrun, ...c.args]) : await ctr(c.args);
      const lines = r.stderr.split('\n').filter(Boolean);
      const errors = c.progress ? lines.filter((l) => /^ctr\w*: /.test(l)) : lines;
      expect({ code: r.code, lines: errors.length }, r.stderr).toEqual({ code: c.code ?? 125, lines: 1 });
      expect(lines.at(-1)).toBe(errors[0]);
      expect(errors[0]).toContain(c.names);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(worldSnapshot()).toEqual(before);
    });
  }
});
