// lifecycle.test.ts — conformance of `ctrun` with runtime-spec runtime.md (Lifecycle, State, Operations)
// and the config.md clauses it implements, on real containers: the built bin driven as runc's callers do,
// create's stdio redirected to a file (as runtime-tools' harness does), everything it made checked gone after.
// Root only (namespaces, cgroups); run under `flock /tmp/ctr-root.lock`.
import { spawnSync, type StdioOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { capabilityNames, type CapabilityName } from '@ctr/ns-native';
import { defaultRootfs } from '../../cli/test/helpers.js';
import { defaultSpec } from '../src/spec.js';
import { cgroupManager } from '../src/runtime/cgroup.js';
import type { StateRecord } from '../src/state.js';

const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../dist/cli.js');

let dir: string;
let root: string;
let bundle: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** ctrun with pipes: for the verbs that hand their stdio to no container process. */
function ctrun(...args: string[]): Result {
  const r = spawnSync(process.execPath, [bin, '--root', root, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * ctrun with stdout and stderr on files, as runtime-tools' harness runs create: the container keeps them (a
 * pipe would stay open as long as it runs). `out` is the container's output, `stderr` ctrun's before it.
 */
function withFiles(name: string, args: string[], extraFds: number[] = []): Result & { out: string } {
  const out = join(dir, `${name}.out`);
  const err = join(dir, `${name}.err`);
  const fds = [openSync(out, 'w'), openSync(err, 'w')];
  try {
    const stdio: StdioOptions = ['ignore', fds[0]!, fds[1]!, ...extraFds];
    const r = spawnSync(process.execPath, [bin, '--root', root, ...args], { stdio, timeout: 20_000 });
    return { code: r.status, stdout: '', stderr: readFileSync(err, 'utf8'), out };
  } finally {
    fds.forEach((fd) => closeSync(fd));
  }
}

const create = (id: string, ...flags: string[]) => withFiles(id, ['create', '--bundle', bundle, ...flags, id]);

/** The parts of config.json these tests change. */
interface Spec {
  root: { path: string; readonly: boolean };
  hostname?: string;
  process: {
    args: string[]; terminal: boolean; oomScoreAdj?: number; user?: Record<string, unknown>; capabilities?: Record<string, string[]>; consoleSize?: { height: number; width: number } };
  linux: { sysctl?: Record<string, string>; resources?: Record<string, unknown>; namespaces?: { type: string; path?: string }[] };
  hooks?: Record<string, { path: string; args: string[] }[]>;
}

/** A bundle of the default rootfs with ctrun's default spec (all its mounts) and `edit`. */
function writeBundle(edit: (spec: Spec) => void): void {
  const spec = defaultSpec() as unknown as Spec;
  spec.root = { path: defaultRootfs, readonly: false };
  spec.process.terminal = false;
  edit(spec);
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
}

const state = (id: string) => JSON.parse(ctrun('state', id).stdout) as { status: string; pid: number; id: string; bundle: string };
const record = (id: string) => JSON.parse(readFileSync(join(root, id, 'state.json'), 'utf8')) as StateRecord;

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** ctrun processes still alive (create, start and exec --detach must leave none). */
function ctrunProcesses(): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
      } catch {
        return '';
      }
    })
    .filter((cmd) => cmd.includes(bin) && cmd.includes(root));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctrun-life-'));
  root = join(dir, 'root');
  bundle = join(dir, 'bundle');
  mkdirSync(bundle);
});

afterEach(() => {
  if (existsSync(root)) for (const id of readdirSync(root)) ctrun('delete', '--force', id);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipUnless('ctrun lifecycle on real containers', { root: isRoot }))('ctrun lifecycle (runtime.md)', () => {
  it('create sets up without running the program, writes the pid file and leaves no ctrun behind; start runs it', async () => {
    writeBundle((s) => {
      s.process.args = ['/bin/sh', '-c', 'echo started as $$ in $(hostname)'];
      s.hostname = 'life';
    });
    const pidFile = join(dir, 'pid');
    const created = create('c1', '--pid-file', pidFile);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const s = state('c1');
    expect(s).toMatchObject({ id: 'c1', status: 'created', bundle });
    expect(readFileSync(pidFile, 'utf8')).toBe(String(s.pid));
    expect(ctrunProcesses()).toEqual([]);
    // runtime.md "create": the user-specified program MUST NOT be run
    await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(created.out, 'utf8')).toBe('');

    expect(ctrun('start', 'c1')).toMatchObject({ code: 0, stderr: '' });
    await until('the program to run', () => readFileSync(created.out, 'utf8') !== '');
    expect(readFileSync(created.out, 'utf8')).toBe('started as 1 in life\n');
    await until('stopped', () => state('c1').status === 'stopped');
    expect(state('c1').pid).toBe(0);
    // runtime.md "start": attempting to start a container that is not created MUST generate an error
    expect(ctrun('start', 'c1')).toMatchObject({ code: 1, stderr: 'ctrun: cannot start a container that has stopped\n' });
    expect(ctrunProcesses()).toEqual([]);
  });

  it('state, kill and delete of an id that does not exist fail with runc\'s words; delete --force succeeds', () => {
    for (const verb of [['state'], ['kill'], ['delete'], ['start'], ['pause']])
      expect(ctrun(...verb, 'nope')).toMatchObject({ code: 1, stderr: 'ctrun: container does not exist\n' });
    expect(ctrun('delete', '--force', 'nope')).toMatchObject({ code: 0, stderr: '' });
  });

  it('create refuses an id in use, and a config it cannot honour before making anything', () => {
    writeBundle((s) => {
      s.process.args = ['/bin/sleep', '30'];
    });
    expect(create('dup').code).toBe(0);
    expect(create('dup')).toMatchObject({ code: 1, stderr: 'ctrun: container with id exists: dup\n' });
    expect(state('dup').status).toBe('created');

    writeBundle((s) => {
      s.process.args = ['/bin/true'];
      s.linux.namespaces = s.linux.namespaces!.filter((ns) => ns.type !== 'pid');
    });
    const refused = create('refused');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('ctrun: config.json: linux.namespaces: not supported yet: sharing the runtime\'s pid namespace (ctrun always creates a new one; add {"type":"pid"})\n');
    expect(existsSync(join(root, 'refused'))).toBe(false);
    expect(cgroupManager({ path: 'ctrun-refused', parent: 'self', procCgroupText: readFileSync('/proc/self/cgroup', 'utf8') }).pids()).toEqual([]);
  });

  it('a program that does not exist fails create, with nothing left', () => {
    writeBundle((s) => {
      s.process.args = ['no-such-program'];
    });
    const r = create('missing');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('ctrun: exec: "no-such-program": executable file not found in $PATH\n');
    expect(existsSync(join(root, 'missing'))).toBe(false);
  });

  it('kill takes names and numbers; a stopped container is "not running"; delete refuses a running one', async () => {
    writeBundle((s) => {
      // PID 1 ignores signals it has no handler for: a trap makes TERM and USR1 visible
      s.process.args = ['/bin/sh', '-c', 'trap "echo usr1" USR1; trap "echo term; exit 3" TERM; echo ready; while :; do sleep 0.05; done'];
    });
    const created = create('k');
    expect(created.code).toBe(0);
    expect(ctrun('start', 'k').code).toBe(0);
    await until('ready', () => readFileSync(created.out, 'utf8').includes('ready'));
    expect(state('k').status).toBe('running');
    const cgroupDirs = Object.values(cgroupManager(record('k').cgroup!).paths);
    expect(cgroupDirs.every((d) => existsSync(d))).toBe(true);

    expect(ctrun('kill', 'k', 'SIGUSR1').code).toBe(0);
    await until('usr1', () => readFileSync(created.out, 'utf8').includes('usr1'));
    // runtime.md "delete": deleting a container that is not stopped MUST generate an error and have no effect
    expect(ctrun('delete', 'k')).toMatchObject({ code: 1, stderr: 'ctrun: cannot delete container k that is not stopped: running\n' });
    expect(state('k').status).toBe('running');
    expect(ctrun('kill', 'k', '15').code).toBe(0);
    await until('stopped', () => state('k').status === 'stopped');
    expect(readFileSync(created.out, 'utf8')).toBe('ready\nusr1\nterm\n');
    expect(ctrun('kill', 'k', 'KILL')).toMatchObject({ code: 1, stderr: 'ctrun: container not running\n' });
    expect(ctrun('delete', 'k')).toMatchObject({ code: 0, stderr: '' });
    expect(ctrun('state', 'k').code).toBe(1);
    expect(cgroupDirs.filter((d) => existsSync(d))).toEqual([]);
  });

  it('delete --force kills a running container with everything in its cgroup', async () => {
    writeBundle((s) => {
      s.process.args = ['/bin/sh', '-c', 'sleep 60 & sleep 60'];
    });
    expect(create('f').code).toBe(0);
    expect(ctrun('start', 'f').code).toBe(0);
    const group = cgroupManager(record('f').cgroup!);
    await until('two sleeps', () => group.pids().length === 3);
    const pids = group.pids();
    expect(ctrun('delete', '--force', 'f')).toMatchObject({ code: 0, stderr: '' });
    expect(pids.filter((pid) => existsSync(`/proc/${pid}/stat`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'))).toEqual([]);
    expect(existsSync(join(root, 'f'))).toBe(false);
  });

  it('exec runs in the container (attached: its status; --detach: pid file, no ctrun left); ps lists it', async () => {
    writeBundle((s) => {
      s.process.args = ['/bin/sleep', '60'];
      s.hostname = 'execd';
    });
    expect(create('e').code).toBe(0);
    expect(ctrun('exec', 'e', '/bin/true')).toMatchObject({ code: 1, stderr: 'ctrun: container not running\n' });
    expect(ctrun('start', 'e').code).toBe(0);
    const attached = ctrun('exec', '--env', 'GREETING=hi', 'e', '/bin/sh', '-c', 'echo $GREETING from $(hostname); exit 7');
    expect(attached).toMatchObject({ code: 7, stdout: 'hi from execd\n' });

    const processFile = join(dir, 'process.json');
    writeFileSync(processFile, JSON.stringify({ args: ['/bin/sleep', '61'], cwd: '/tmp', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } }));
    const pidFile = join(dir, 'exec.pid');
    expect(withFiles('exec', ['exec', '--process', processFile, '--detach', '--pid-file', pidFile, 'e'])).toMatchObject({ code: 0, stderr: '' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('/bin/sleep\u000061\u0000');
    expect(ctrunProcesses()).toEqual([]);
    expect(JSON.parse(ctrun('ps', '--format', 'json', 'e').stdout)).toEqual(expect.arrayContaining([state('e').pid, pid]));
    const table = ctrun('ps', 'e').stdout.split('\n');
    expect(table[0]).toMatch(/PID/);
    expect(table.some((line) => line.includes('sleep 61'))).toBe(true);
  });

  it('pause freezes every process and resume thaws them; state says paused', async () => {
    writeBundle((s) => {
      s.process.args = ['/bin/sh', '-c', 'while :; do echo tick; sleep 0.02; done'];
    });
    const created = create('p');
    expect(ctrun('start', 'p').code).toBe(0);
    await until('ticks', () => readFileSync(created.out, 'utf8').length > 0);
    expect(ctrun('pause', 'p')).toMatchObject({ code: 0, stderr: '' });
    expect(state('p').status).toBe('paused');
    const frozenAt = readFileSync(created.out, 'utf8').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(created.out, 'utf8').length).toBe(frozenAt);
    expect(ctrun('pause', 'p')).toMatchObject({ code: 1, stderr: 'ctrun: container already paused\n' });
    expect(ctrun('resume', 'p').code).toBe(0);
    expect(state('p').status).toBe('running');
    await until('ticks again', () => readFileSync(created.out, 'utf8').length > frozenAt);
    // a paused container is deleted by force too (its tasks are thawed to die)
    expect(ctrun('pause', 'p').code).toBe(0);
    expect(ctrun('delete', '--force', 'p')).toMatchObject({ code: 0, stderr: '' });
  });

  it('resources reach the cgroup at create (cpuset, CFS period, reservation too), and update changes them', () => {
    writeBundle((s) => {
      s.process.args = ['/bin/sleep', '60'];
      s.linux.resources = {
        ...s.linux.resources,
        cpu: { cpus: '0', quota: 25_000, period: 50_000 },
        memory: { limit: 64 * 1024 * 1024, reservation: 16 * 1024 * 1024 },
        pids: { limit: 50 },
      };
    });
    expect(create('r').code).toBe(0);
    const paths = cgroupManager(record('r').cgroup!).paths;
    const read = (dir: string | undefined, file: string) => readFileSync(join(dir!, file), 'utf8').trim();
    const allowedCpus = () => /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${state('r').pid}/status`, 'utf8'))?.[1];
    expect(read(paths.pids, 'pids.max')).toBe('50');
    expect(allowedCpus()).toBe('0');
    const v1 = existsSync(join(paths.cpu!, 'cpu.cfs_period_us'));
    expect(v1 ? [read(paths.cpu, 'cpu.cfs_quota_us'), read(paths.cpu, 'cpu.cfs_period_us')].join(' ') : read(paths.cpu, 'cpu.max')).toBe('25000 50000');
    expect(read(paths.memory, v1 ? 'memory.soft_limit_in_bytes' : 'memory.low')).toBe(String(16 * 1024 * 1024));
    const update = spawnSync(process.execPath, [bin, '--root', root, 'update', '--resources', '-', 'r'], {
      input: JSON.stringify({ pids: { limit: 70 }, cpu: { cpus: '1' } }), encoding: 'utf8',
    });
    expect(update.stderr).toBe('');
    expect(read(paths.pids, 'pids.max')).toBe('70');
    expect(allowedCpus()).toBe('1');
    const memory = paths.memory!;
    const limit = existsSync(join(memory, 'memory.limit_in_bytes')) ? 'memory.limit_in_bytes' : 'memory.max';
    expect(readFileSync(join(memory, limit), 'utf8').trim()).toBe(String(64 * 1024 * 1024));
  });

  it('hooks get the state on stdin at their points: prestart/createRuntime in create, poststart in start, poststop in delete', async () => {
    const log = join(dir, 'hooks.log');
    const hook = join(dir, 'hook.sh');
    writeFileSync(hook, `#!/bin/sh\n{ printf '%s ' "$1"; cat; echo; } >> ${log}\n`);
    chmodSync(hook, 0o755);
    const at = (kind: string) => [{ path: hook, args: ['hook', kind] }];
    writeBundle((s) => {
      s.process.args = ['/bin/true'];
      s.hooks = { prestart: at('prestart'), createRuntime: at('createRuntime'), poststart: at('poststart'), poststop: at('poststop') };
    });
    expect(create('h').code).toBe(0);
    const pid = state('h').pid;
    const lines = () => readFileSync(log, 'utf8').trim().split('\n').map((l) => {
      const [kind, json] = [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)];
      return { kind, state: JSON.parse(json) as { status: string; pid: number; id: string } };
    });
    expect(lines().map((l) => [l.kind, l.state.status, l.state.pid])).toEqual([['prestart', 'creating', pid], ['createRuntime', 'creating', pid]]);
    expect(ctrun('start', 'h').code).toBe(0);
    expect(lines()[2]).toMatchObject({ kind: 'poststart', state: { status: 'running', id: 'h' } });
    await until('stopped', () => state('h').status === 'stopped');
    expect(ctrun('delete', 'h').code).toBe(0);
    expect(lines()[3]).toMatchObject({ kind: 'poststop', state: { status: 'stopped', id: 'h' } });
  });

  it('a failing createRuntime hook fails create and undoes it', () => {
    writeBundle((s) => {
      s.process.args = ['/bin/true'];
      s.hooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'echo no way >&2; exit 4'] }] };
    });
    const r = create('hf');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('ctrun: createRuntime hook /bin/sh exited with status 4: no way\n');
    expect(existsSync(join(root, 'hf'))).toBe(false);
  });

  it('process.user, umask, sysctl, and a namespace left out of the config is the runtime\'s', async () => {
    writeBundle((s) => {
      s.process.args = ['/bin/sh', '-c', 'id -u; id -g; id -G; umask; cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/ping_group_range; readlink /proc/self/ns/ipc'];
      s.process.user = { uid: 1000, gid: 1001, additionalGids: [1002, 1003], umask: 0o027 };
      // what engines write for a user other than root: the kernel empties these at the uid change anyway
      s.process.capabilities = { ...s.process.capabilities, permitted: [], effective: [] };
      s.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'net.ipv4.ping_group_range': '0 0' };
      s.linux.namespaces = s.linux.namespaces!.filter((ns) => ns.type !== 'ipc');
    });
    const created = create('u');
    expect(created.stderr).toBe('');
    expect(ctrun('start', 'u').code).toBe(0);
    await until('stopped', () => state('u').status === 'stopped');
    const [uid, gid, groups, umask, forward, ping, ipc] = readFileSync(created.out, 'utf8').trim().split('\n');
    expect([uid, gid, groups, umask, forward, ping?.replace(/\s+/g, ' ')]).toEqual(['1000', '1001', '1001 1002 1003', '0027', '1', '0 0']);
    expect(ipc).toBe(readlinkSync('/proc/self/ns/ipc'));
    // the host's own sysctl is untouched
    expect(readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8')).not.toMatch(/^0\s+0$/);
  });

  it('process.capabilities: all five sets, for root (as `runc spec` writes them) and a user other than root with ambient ones, in create and exec', async () => {
    const mask = (names: string[]) => names.reduce((m, n) => m | (1n << BigInt(capabilityNames[n as CapabilityName])), 0n).toString(16).padStart(16, '0');
    const capLines = (text: string) => text.split('\n').filter((l) => /^Cap(Inh|Prm|Eff|Bnd|Amb):/.test(l)).map((l) => l.split(/\s+/)[1]);
    const readCaps = 'grep ^Cap /proc/self/status';
    const ambient = ['CAP_NET_BIND_SERVICE', 'CAP_KILL'];
    const sets = { permitted: [...ambient, 'CAP_CHOWN'], effective: [...ambient, 'CAP_CHOWN'], inheritable: ambient, ambient };
    let bounding: string[] = [];
    writeBundle((s) => {
      s.process.args = ['/bin/sh', '-c', `${readCaps}; exec sleep 60`];
      s.process.user = { uid: 1000, gid: 1000 };
      bounding = s.process.capabilities!.bounding!;
      s.process.capabilities = { bounding, ...sets };
    });
    const created = create('caps');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(ctrun('start', 'caps').code).toBe(0);
    await until('the capabilities printed', () => readFileSync(created.out, 'utf8').split('\n').length > 5);
    // Inh, Prm, Eff, Bnd, Amb: CAP_CHOWN was permitted but not ambient, and a uid other than 0 loses it at execve.
    const nonRoot = [mask(ambient), mask(ambient), mask(ambient), mask(bounding), mask(ambient)];
    expect(capLines(readFileSync(created.out, 'utf8'))).toEqual(nonRoot);
    // the same process for exec (podman exec --user 1000 sends such sets)
    const processFile = join(dir, 'process.json');
    writeFileSync(processFile, JSON.stringify({ args: ['/bin/sh', '-c', readCaps], cwd: '/', env: ['PATH=/bin'], user: { uid: 1000, gid: 1000 }, capabilities: { bounding, ...sets } }));
    const execd = ctrun('exec', '--process', processFile, 'caps');
    expect(execd).toMatchObject({ code: 0, stderr: '' });
    expect(capLines(execd.stdout)).toEqual(nonRoot);
    expect(ctrun('delete', '--force', 'caps').code).toBe(0);

    // `runc spec`'s sets: ambient ones that are not inheritable cannot be raised and are left out, as runc does
    writeBundle((s) => {
      s.process.args = ['/bin/sh', '-c', readCaps];
      s.process.capabilities = { bounding, permitted: bounding, effective: bounding, ambient: bounding };
    });
    const rootCreated = create('runc-spec');
    expect(rootCreated).toMatchObject({ code: 0, stderr: '' });
    expect(ctrun('start', 'runc-spec').code).toBe(0);
    await until('stopped', () => state('runc-spec').status === 'stopped');
    expect(capLines(readFileSync(rootCreated.out, 'utf8'))).toEqual([mask([]), mask(bounding), mask(bounding), mask(bounding), mask([])]);

    // sets the kernel would refuse: one clear line, nothing made
    writeBundle((s) => {
      s.process.user = { uid: 1000, gid: 1000 };
      s.process.capabilities = { bounding, ...sets, effective: [...ambient, 'CAP_SYS_ADMIN'] };
    });
    expect(create('bad-caps')).toMatchObject({ code: 1, stderr: 'ctrun: config.json: process.capabilities.effective: CAP_SYS_ADMIN is not in permitted (the kernel refuses it)\n' });
    expect(existsSync(join(root, 'bad-caps'))).toBe(false);
  });

  it('a network namespace given by path is joined and its sysctls set there; one shared with the runtime is refused', async () => {
    const netns = `ctrun-test-${process.pid}`;
    expect(spawnSync('ip', ['netns', 'add', netns]).status).toBe(0);
    try {
      const path = `/run/netns/${netns}`;
      writeBundle((s) => {
        s.process.args = ['/bin/sh', '-c', 'cat /proc/sys/net/ipv4/ping_group_range; readlink /proc/self/ns/net'];
        s.linux.sysctl = { 'net.ipv4.ping_group_range': '0 0' };
        s.linux.namespaces = [...s.linux.namespaces!.filter((ns) => ns.type !== 'network'), { type: 'network', path }];
      });
      const created = create('n');
      expect(created.stderr).toBe('');
      expect(ctrun('start', 'n').code).toBe(0);
      await until('stopped', () => state('n').status === 'stopped');
      const [ping, ns] = readFileSync(created.out, 'utf8').trim().split('\n');
      expect(ping!.replace(/\s+/g, ' ')).toBe('0 0');
      expect(ns).toBe(`net:[${statSync(path).ino}]`);
      expect(readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8')).not.toMatch(/^0\s+0$/);

      writeBundle((s) => {
        s.process.args = ['/bin/true'];
        s.linux.sysctl = { 'net.ipv4.ping_group_range': '0 0' };
        s.linux.namespaces = s.linux.namespaces!.filter((ns) => ns.type !== 'network');
      });
      expect(create('shared')).toMatchObject({
        code: 1, stderr: "ctrun: config.json: linux.sysctl.net.ipv4.ping_group_range: the container shares the runtime's network namespace; setting it would change the host's\n",
      });
    } finally {
      spawnSync('ip', ['netns', 'delete', netns]);
    }
  });

  it('process.oomScoreAdj is set before start, and --preserve-fds hands fds 3.. to the program', async () => {
    writeBundle((s) => {
      s.process.args = ['/bin/sh', '-c', 'cat /proc/self/oom_score_adj; echo through-fd-3 >&3; ls /proc/self/fd'];
      s.process.oomScoreAdj = 123;
    });
    const passed = join(dir, 'passed');
    const fd = openSync(passed, 'w');
    let created: ReturnType<typeof withFiles>;
    try {
      created = withFiles('o', ['create', '--bundle', bundle, '--preserve-fds', '1', 'o'], [fd]);
    } finally {
      closeSync(fd);
    }
    expect(created.stderr).toBe('');
    expect(readFileSync(`/proc/${state('o').pid}/oom_score_adj`, 'utf8')).toBe('123\n');
    expect(ctrun('start', 'o').code).toBe(0);
    await until('stopped', () => state('o').status === 'stopped');
    // fds 0-3 and the one ls opens for /proc/self/fd: nothing else of the runtime's reaches the program
    expect(readFileSync(created.out, 'utf8')).toBe('123\n0\n1\n2\n3\n4\n');
    expect(readFileSync(passed, 'utf8')).toBe('through-fd-3\n');
  });

  it('--console-socket gets the pty master (SCM_RIGHTS) sized as process.consoleSize; create does not wait for a reply', () => {
    writeBundle((s) => {
      s.process.args = ['/bin/sh', '-c', 'tty; stty size'];
      s.process.terminal = true;
      s.process.consoleSize = { height: 30, width: 100 };
    });
    expect(create('t')).toMatchObject({ code: 1, stderr: 'ctrun: cannot allocate tty if runc will detach without setting console socket (process.terminal is true: give --console-socket)\n' });
    // the engine's side of the protocol (conmon, containerd's shim): accept, take the fd, read the terminal
    const socket = join(dir, 'console.sock');
    const engine = join(dir, 'engine.py');
    writeFileSync(engine, [
      'import array, os, socket, subprocess, sys',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1)',
      'ctrun = [sys.argv[2], sys.argv[3], "--root", sys.argv[4]]',
      'r = subprocess.run(ctrun + ["create", "--bundle", sys.argv[5], "--console-socket", sys.argv[1], "t"], stdin=subprocess.DEVNULL)',
      'conn, _ = s.accept()',
      '_, anc, _, _ = conn.recvmsg(1, socket.CMSG_LEN(4))',
      'master = array.array("i", anc[0][2][:4])[0]',
      'subprocess.run(ctrun + ["start", "t"])',
      'out = b""',
      'while True:',
      '    try: d = os.read(master, 1024)',
      '    except OSError: break',
      '    if not d: break',
      '    out += d',
      'print(r.returncode, repr(out.decode()))',
    ].join('\n'));
    const r = spawnSync('python3', [engine, socket, process.execPath, bin, root, bundle], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("0 '/dev/pts/0\\r\\n30 100\\r\\n'\n");
  });

  it('--log --log-format json gets one error line, as containerd reads it', () => {
    const logFile = join(dir, 'log.json');
    const r = spawnSync(process.execPath, [bin, '--root', root, '--log', logFile, '--log-format', 'json', 'kill', 'ghost', '9'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    const line = JSON.parse(readFileSync(logFile, 'utf8')) as { level: string; msg: string };
    expect(line).toMatchObject({ level: 'error', msg: 'container does not exist' });
  });
});
