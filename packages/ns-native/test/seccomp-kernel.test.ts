// seccomp-kernel.test.ts — compiled filters on the real kernel. A small C helper (seccomp-fixtures/
// seccomp-exec.c, built here) sets no_new_privs, installs a filter file with seccomp(2) and execs a command.
// Proves: the kernel accepts our BPF; a shell, coreutils, procps, iproute2 and the threaded/networked demo
// programs run under the default profile (so glibc's clone3 → clone fallback works); escape attempts that
// get through on the host come back EPERM under the filter; keeping CAP_SYS_ADMIN lets the mount class
// through to the kernel's own capability checks. Anything that could touch the host runs in throwaway
// namespaces (unshare -m -p -f -u -i -n), so even a filter that failed to block would change nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { skipUnless, isRoot } from '@ctr/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProfile, defaultProfile } from '../lib/seccomp/index.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const demoSources = path.resolve(here, '../../demo-apps/src');
const CAP_SYS_ADMIN = 21;
// Docker's default capability set (no CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_MODULE, CAP_SYS_PTRACE …).
const DOCKER_CAPS = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31];
const THROWAWAY = ['/usr/bin/unshare', '-m', '-p', '-f', '-u', '-i', '-n', '--mount-proc'];

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeoutMs = 30_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function gcc(args: string[]): Promise<void> {
  const result = await run('gcc', args, 120_000);
  if (result.code !== 0) throw new Error(`gcc ${args.join(' ')}: ${result.stderr}`);
}

interface ProbeLine {
  probe: string;
  result: string;
  errno?: string;
}

describe.skipIf(skipUnless('compiled seccomp filters on the real kernel', { root: isRoot }))('seccomp filters in the kernel', () => {
  let dir = '';
  let exec = '';
  let dockerFilter = '';
  let adminFilter = '';
  const bin = (name: string): string => path.join(dir, name);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ctr-seccomp-'));
    exec = bin('seccomp-exec');
    // The demo programs are built from source here so this package does not depend on demo-apps' build.
    const demo = (name: string, extra: string[] = []): Promise<void> =>
      gcc(['-static', '-O2', '-std=gnu11', '-D_GNU_SOURCE', '-Wall', '-Wextra', '-Werror', '-o', bin(name),
        path.join(demoSources, `${name}.c`), path.join(demoSources, 'args.c'), ...extra]);
    await Promise.all([
      gcc(['-O2', '-Wall', '-Wextra', '-Werror', '-o', exec, path.join(here, 'seccomp-fixtures', 'seccomp-exec.c')]),
      demo('threads-cpu', ['-pthread']),
      demo('server'),
      demo('client'),
      demo('escape-probe'),
    ]);
    dockerFilter = bin('docker-caps.bpf');
    adminFilter = bin('docker-caps-sys-admin.bpf');
    writeFileSync(dockerFilter, compileProfile(defaultProfile(), { capabilities: DOCKER_CAPS }));
    writeFileSync(adminFilter, compileProfile(defaultProfile(), { capabilities: [...DOCKER_CAPS, CAP_SYS_ADMIN] }));
  }, 180_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const probes = async (filter: string | undefined, only: string[]): Promise<Map<string, ProbeLine>> => {
    const probe = [bin('escape-probe'), '--only', only.join(',')];
    const result = await run(THROWAWAY[0] as string, [...THROWAWAY.slice(1), ...(filter ? [exec, filter] : []), ...probe]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as ProbeLine);
    return new Map(lines.map((line) => [line.probe, line]));
  };

  it('runs a shell with coreutils, procps and iproute2 under the default profile', async () => {
    const script = 'echo ok; ls / >/dev/null; ps -e >/dev/null; ip -o addr show lo; cat /proc/self/status';
    const result = await run(exec, [dockerFilter, '/bin/sh', '-c', script]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^ok\n/);
    expect(result.stdout).toMatch(/^1: lo +inet 127\.0\.0\.1\/8/m);
    expect(result.stdout).toMatch(/^Seccomp:\t2$/m);
    expect(result.stdout).toMatch(/^Seccomp_filters:\t1$/m);
    expect(result.stdout).toMatch(/^NoNewPrivs:\t1$/m);
  });

  it('runs the threaded demo program (clone3 gets ENOSYS, glibc falls back to clone)', async () => {
    const result = await run(exec, [dockerFilter, bin('threads-cpu'), '2', '--seconds', '1']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^cpu \d+\.\d\d cores$/m);
  });

  it('runs server and client over loopback in a private network namespace', async () => {
    const log = bin('server.log');
    const script = [
      'ip link set lo up',
      '"$1" "$2" "$3" --port 0 --once >"$4" &',
      'for i in $(seq 400); do grep -q listening "$4" && break; sleep 0.05; done',
      'port=$(sed -n "s/^listening on 0.0.0.0:\\([0-9]*\\)$/\\1/p" "$4")',
      '[ -n "$port" ] || { echo "server did not listen: $(cat "$4")" >&2; exit 1; }',
      '"$1" "$2" "$5" 127.0.0.1 "$port" && wait',
    ].join('\n');
    const args = ['-n', '/bin/sh', '-c', script, 'sh', exec, dockerFilter, bin('server'), log, bin('client')];
    const result = await run('/usr/bin/unshare', args);
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: 'Received 25 bytes: hello from the other side\n' });
    expect(readFileSync(log, 'utf8')).toMatch(/^accepted from 127\.0\.0\.1:\d+$/m);
  });

  it('refuses a user namespace to unshare(1)', async () => {
    const result = await run(exec, [dockerFilter, '/usr/bin/unshare', '-U', 'true']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unshare failed: Operation not permitted/);
  });

  const escapes = [
    'mount-proc', 'mount-tmpfs', 'unshare-mount-ns', 'unshare-user-mount', 'sethostname', 'keyctl', 'bpf',
    'perf-event-open', 'reboot', 'pivot-root', 'swapon', 'userfaultfd', 'io-uring', 'open-by-handle-at',
    'ptrace-init', 'kexec-load', 'finit-module', 'init-module', 'delete-module',
  ];

  it('turns escape attempts that get through on the host into EPERM', async () => {
    // Without a filter, root in throwaway namespaces: these reach the kernel (EINVAL/ENOENT = past the checks).
    const host = await probes(undefined, escapes);
    for (const name of ['mount-tmpfs', 'unshare-mount-ns', 'unshare-user-mount', 'sethostname', 'keyctl', 'bpf'])
      expect(host.get(name)).toEqual({ probe: name, result: 'succeeded' });
    for (const name of ['reboot', 'io-uring']) expect(host.get(name)).toEqual({ probe: name, result: 'succeeded', errno: 'EINVAL' });
    for (const name of ['pivot-root', 'swapon']) expect(host.get(name)).toEqual({ probe: name, result: 'succeeded', errno: 'ENOENT' });

    // Under the filter every one of them is answered by seccomp before the kernel looks at it.
    const filtered = await probes(dockerFilter, escapes);
    expect([...filtered.keys()].sort()).toEqual([...escapes].sort());
    for (const name of escapes) expect(filtered.get(name)).toEqual({ probe: name, result: 'blocked', errno: 'EPERM' });
  });

  it('lets the mount class through to the capability checks when CAP_SYS_ADMIN is kept', async () => {
    const result = await run(exec, [adminFilter, '/usr/bin/unshare', '-m', 'true']);
    expect(result).toMatchObject({ code: 0, stderr: '' });

    const admin = await probes(adminFilter, ['mount-tmpfs', 'unshare-mount-ns', 'sethostname', 'keyctl', 'reboot', 'kexec-load', 'bpf', 'perf-event-open']);
    for (const name of ['mount-tmpfs', 'unshare-mount-ns', 'sethostname'])
      expect(admin.get(name)).toEqual({ probe: name, result: 'succeeded' });
    // Never allowed, or gated on capabilities still dropped (CAP_SYS_BOOT, CAP_BPF, CAP_PERFMON).
    for (const name of ['keyctl', 'reboot', 'kexec-load', 'bpf', 'perf-event-open'])
      expect(admin.get(name)).toEqual({ probe: name, result: 'blocked', errno: 'EPERM' });
  });
});
