// lifecycle.test.ts — containers that outlive the command, through the real CLI: `run -d` returns once the
// server runs and leaves no Node process behind (only its ctr-shim), the server answers the host client,
// `logs` shows its output with timestamps, `stop` ends it within the timeout and `ps -a` and `wait` show the
// exit code, an OOM kill shows in `inspect`, wrong states fail in one line, a ctr SIGKILLed mid-create leaves
// nothing after the next command, and 50 runs in one Node process print no MaxListenersExceededWarning.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTmux, isRoot, skipUnless, TmuxSession } from '@ctr/test-utils';
import { cliPath, ctr, defaultRootfs, demoBuild, expectNothingLeaked, host } from '../helpers.js';

const client = path.join(demoBuild, 'client');

function stat(pid: number): { comm: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    return { comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(text.slice(close + 2).split(' ')[1]) };
  } catch {
    return undefined;
  }
}

/** The host processes from `pid` up to PID 1: [pid, parent, grandparent, …]. */
function ancestry(pid: number): { pid: number; comm: string; cmdline: string }[] {
  const chain = [];
  for (let p = pid; p > 0; ) {
    const s = stat(p);
    if (!s) break;
    chain.push({ pid: p, comm: s.comm, cmdline: readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    p = s.ppid;
  }
  return chain;
}

interface Inspected {
  id: string;
  name: string;
  state: { status: string; pid: number; supervisorPid: number; exitCode: number | null; oomKilled: boolean; finishedAt: string | null };
  network: { ip: string | null };
}

async function inspect(ref: string): Promise<Inspected> {
  const r = await ctr(['inspect', ref]);
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout) as Inspected[])[0]!;
}

/** Polls until `ctr logs NAME` shows `text`. */
async function logsShow(name: string, text: string, args: string[] = []): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await ctr(['logs', ...args, name]);
    if (r.stdout.includes(text)) return r.stdout;
    if (Date.now() > deadline) throw new Error(`logs of ${name} never showed ${text}: ${r.stdout} ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe.skipIf(skipUnless('container lifecycle through the CLI', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('ctr: container lifecycle', () => {
  expectNothingLeaked();

  it('run -d: the server answers the host, only its ctr-shim stays, logs have timestamps, stop and wait give the exit code', async () => {
    const run = await ctr(['run', '-d', '--name', 'lc-srv', defaultRootfs, 'server']);
    expect(run).toMatchObject({ code: 0, stdout: 'lc-srv\n', stderr: '' });
    try {
      const info = await inspect('lc-srv');
      expect(info.state.status).toBe('running');
      // What stays on the host: the container's parent is ctr-shim, and no Node process is above it.
      const chain = ancestry(info.state.pid);
      expect(chain[1]).toMatchObject({ pid: info.state.supervisorPid, comm: 'ctr-shim' });
      expect(chain.filter((p) => p.cmdline.includes(cliPath))).toEqual([]);
      // An id prefix addresses it as well as the name.
      expect((await inspect(info.id.slice(0, 5))).name).toBe('lc-srv');

      await logsShow('lc-srv', 'listening on 0.0.0.0:8080');
      // exec joins the running container: it sees the server in ps, the same hostname and IP.
      const seen = await ctr(['exec', 'lc-srv', 'sh', '-c', 'ps -e -o pid=,comm=; hostname; ip -4 -o addr show dev eth0']);
      expect(seen.code).toBe(0);
      expect(seen.stdout).toMatch(/^\s*1 server$/m);
      expect(seen.stdout).toMatch(/^\s*\d+ ps$/m);
      expect(seen.stdout).toMatch(/^lc-srv$/m);
      expect(seen.stdout).toContain(`inet ${info.network.ip}/16`);
      const answer = await host(client, [info.network.ip!, '8080']);
      expect(answer.stdout.trim()).toBe('Received 25 bytes: hello from the other side');
      const stamped = await logsShow('lc-srv', 'accepted from', ['--timestamps']);
      expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z listening on 0\.0\.0\.0:8080$/m);
      expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z accepted from 10\.88\.0\.1:\d+$/m);
      expect((await ctr(['logs', '--tail', '1', 'lc-srv'])).stdout).toMatch(/^accepted from 10\.88\.0\.1:\d+\n$/);

      expect((await ctr(['ps', '-q'])).stdout).toContain(`${info.id}\n`);
      // The server handles SIGTERM: it stops well within the timeout, with its own exit code.
      const t0 = Date.now();
      expect(await ctr(['stop', '-t', '5', 'lc-srv'])).toMatchObject({ code: 0, stdout: 'lc-srv\n' });
      expect(Date.now() - t0).toBeLessThan(5000);
      const all = JSON.parse((await ctr(['ps', '-a', '--json'])).stdout) as { name: string; status: string; exitCode?: number }[];
      expect(all.find((c) => c.name === 'lc-srv')).toMatchObject({ status: 'stopped', exitCode: 0 });
      expect((await ctr(['ps', '-q'])).stdout).not.toContain(info.id);
      expect(await ctr(['wait', 'lc-srv'])).toMatchObject({ code: 0, stdout: '0\n' });
    } finally {
      await ctr(['rm', '-f', 'lc-srv']);
    }
    expect((await ctr(['ps', '-a', '-q'])).stdout).toBe('');
  });

  it('stop kills a PID 1 that ignores SIGTERM after the timeout; wait prints 137', async () => {
    expect((await ctr(['run', '-d', '--name', 'lc-deaf', defaultRootfs, 'sleep', '100'])).code).toBe(0);
    try {
      const waiting = ctr(['wait', 'lc-deaf']);
      const t0 = Date.now();
      expect((await ctr(['stop', '-t', '1', 'lc-deaf'])).code).toBe(0);
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(1000);
      expect(took).toBeLessThan(4000);
      expect(await waiting).toMatchObject({ code: 0, stdout: '137\n' });
      expect((await ctr(['ps', '-a'])).stdout).toMatch(/lc-deaf .*exited \(137\)/);
    } finally {
      await ctr(['rm', '-f', 'lc-deaf']);
    }
  });

  it('kill -s sends a signal, and the OOM kill of a detached container shows in inspect', async () => {
    expect((await ctr(['run', '-d', '--name', 'lc-hog', '--memory', '32m', defaultRootfs, 'mem-hog'])).code).toBe(0);
    expect((await ctr(['run', '-d', '--name', 'lc-sig', '--init', defaultRootfs, 'sleep', '100'])).code).toBe(0);
    try {
      expect(await ctr(['wait', 'lc-hog'])).toMatchObject({ code: 0, stdout: '137\n' });
      const hog = await inspect('lc-hog');
      expect(hog.state).toMatchObject({ status: 'stopped', exitCode: 137, oomKilled: true });
      expect(Date.parse(hog.state.finishedAt!)).toBeGreaterThan(Date.now() - 60_000);

      expect(await ctr(['kill', '-s', 'TERM', 'lc-sig'])).toMatchObject({ code: 0, stdout: 'lc-sig\n' });
      // ctr-init forwards SIGTERM to sleep, which dies of it; init exits 128+15.
      expect((await ctr(['wait', 'lc-sig'])).stdout).toBe('143\n');
      expect((await inspect('lc-sig')).state.oomKilled).toBe(false);
    } finally {
      await ctr(['rm', '-f', 'lc-hog', 'lc-sig']);
    }
  });

  it('exec runs with the container\'s confinement and cgroup, no fd of ctr, a pty of its devpts, and its exit status', async () => {
    expect((await ctr(['run', '-d', '--name', 'lc-ex', '--cap-drop', 'NET_RAW', defaultRootfs, 'sleep', '100'])).code).toBe(0);
    try {
      const keys = /^(CapBnd|CapEff|NoNewPrivs|Seccomp):.*$/gm;
      const pid1 = await ctr(['exec', 'lc-ex', 'cat', '/proc/1/status']);
      const own = await ctr(['exec', 'lc-ex', 'cat', '/proc/self/status']);
      expect(own.stdout.match(keys)).toEqual(pid1.stdout.match(keys));
      expect(own.stdout).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(own.stdout).toMatch(/^Seccomp:\s+2$/m);
      // Only 0-2 and the fd ls opens to read the directory.
      expect((await ctr(['exec', 'lc-ex', 'ls', '/proc/self/fd'])).stdout.split(/\s+/).filter(Boolean)).toEqual(['0', '1', '2', '3']);
      // The host sees the exec'd program in the container's cgroup.
      const probe = ctr(['exec', 'lc-ex', 'sh', '-c', 'echo $$; sleep 1']);
      const info = await inspect('lc-ex');
      const cgroupPaths = (JSON.parse((await ctr(['inspect', 'lc-ex'])).stdout)[0] as { cgroup: { paths: Record<string, string> } }).cgroup.paths;
      await new Promise((r) => setTimeout(r, 300));
      const procs = readFileSync(path.join(Object.values(cgroupPaths)[0]!, 'cgroup.procs'), 'utf8').trim().split('\n');
      expect(procs.length).toBeGreaterThanOrEqual(2);
      expect(procs).toContain(String(info.state.pid));
      // Inside the PID namespace: a small pid of its own, not the host's.
      expect(Number((await probe).stdout)).toBeGreaterThan(1);
      expect(Number((await probe).stdout)).toBeLessThan(50);
      expect((await ctr(['exec', '-u', 'nobody', 'lc-ex', 'id', '-u'])).stdout).toBe('65534\n');
      expect((await ctr(['exec', '-e', 'FOO=bar', '-w', '/tmp', 'lc-ex', 'sh', '-c', 'echo $FOO $PWD'])).stdout).toBe('bar /tmp\n');
      expect((await ctr(['exec', 'lc-ex', 'sh', '-c', 'exit 7'])).code).toBe(7);
      expect((await ctr(['exec', 'lc-ex', 'no-such-program'])).code).toBe(127);
      // -t: the pty comes from the container's own devpts instance (PID 1 has no terminal, so it is the first).
      expect((await ctr(['exec', '-t', 'lc-ex', 'tty'])).stdout).toMatch(/^\/dev\/pts\/0\r?\n$/);
    } finally {
      await ctr(['rm', '-f', 'lc-ex']);
    }
  });

  it.skipIf(!hasTmux)('attach to a detached -it shell: keys, window size, Ctrl-P Ctrl-Q detaches, exit ends attach with its code', async () => {
    expect((await ctr(['run', '-d', '-it', '--name', 'lc-tty', '--net', 'none', defaultRootfs, 'sh'])).code).toBe(0);
    const term = new TmuxSession(`ctr-attach-${process.pid}`);
    const attach = `${process.execPath} ${cliPath} attach lc-tty; echo attach-status-$?; sleep 30`;
    try {
      term.start(attach, 90, 25);
      await new Promise((r) => setTimeout(r, 500));
      await term.type('echo hello-$((6*7)); stty size', /^hello-42\s*\n25 90\s*$/m);
      term.keys('C-p', 'C-q');
      await term.waitFor(/attach-status-0/);
      expect((await inspect('lc-tty')).state.status).toBe('running');
      term.close();

      term.start(attach, 90, 25);
      await new Promise((r) => setTimeout(r, 500));
      await term.type('exit 9', /attach-status-9/);
      expect((await inspect('lc-tty')).state).toMatchObject({ status: 'stopped', exitCode: 9 });
      // Everything went through the shim's log too.
      expect((await ctr(['logs', 'lc-tty'])).stdout).toContain('hello-42');
    } finally {
      term.close();
      await ctr(['rm', '-f', 'lc-tty']);
    }
  });

  it('create + start: the command waits under its shim until ctr start from another command', async () => {
    expect(await ctr(['create', '--name', 'lc-new', defaultRootfs, 'sh', '-c', 'echo began; sleep 100'])).toMatchObject({ code: 0, stdout: 'lc-new\n' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect((await inspect('lc-new')).state.status).toBe('created');
      expect((await ctr(['logs', 'lc-new'])).stdout).toBe('');
      const early = await ctr(['exec', 'lc-new', 'true']);
      expect(early).toMatchObject({ code: 125, stderr: 'ctr: cannot exec in container "lc-new": it is created\n' });
      expect(await ctr(['start', 'lc-new'])).toMatchObject({ code: 0, stdout: 'lc-new\n' });
      expect((await inspect('lc-new')).state.status).toBe('running');
      await logsShow('lc-new', 'began');
      const again = await ctr(['start', 'lc-new']);
      expect(again).toMatchObject({ code: 1, stderr: 'ctr: cannot start container "lc-new": it is running\n' });
      expect((await ctr(['create', '--name', 'lc-bad', '--net', 'none', defaultRootfs, 'no-such-cmd'])).code).toBe(0);
      expect(await ctr(['start', 'lc-bad'])).toMatchObject({ code: 127, stderr: 'ctr: exec "no-such-cmd": executable file not found in the container\n' });
    } finally {
      await ctr(['rm', '-f', 'lc-new', 'lc-bad']);
    }
  });

  it('wrong states and unknown names fail in one line with a non-zero status', async () => {
    expect((await ctr(['run', '-d', '--name', 'lc-busy', defaultRootfs, 'sleep', '100'])).code).toBe(0);
    try {
      const rm = await ctr(['rm', 'lc-busy']);
      expect(rm.code).not.toBe(0);
      expect(rm.stderr).toBe('ctr: cannot remove container "lc-busy": it is running; stop it first or use rm -f\n');
      expect((await inspect('lc-busy')).state.status).toBe('running');
      const dup = await ctr(['run', '-d', '--name', 'lc-busy', defaultRootfs, 'true']);
      expect(dup.code).toBe(125);
      expect(dup.stderr).toMatch(/^ctr: the container name "lc-busy" is already in use; choose another --name\n$/);
      const pub = await ctr(['run', '-d', '-p', '18081:80', defaultRootfs, 'true']);
      expect(pub).toMatchObject({ code: 125 });
      expect(pub.stderr.split('\n')).toHaveLength(2);
    } finally {
      expect(await ctr(['rm', '-f', 'lc-busy'])).toMatchObject({ code: 0, stdout: 'lc-busy\n' });
    }
    expect((await ctr(['run', '-d', '--name', 'lc-done', defaultRootfs, 'true'])).code).toBe(0);
    expect((await ctr(['wait', 'lc-done'])).stdout).toBe('0\n');
    const exec = await ctr(['exec', 'lc-done', 'true']);
    expect(exec).toMatchObject({ code: 125, stderr: 'ctr: cannot exec in container "lc-done": it is stopped\n' });
    expect((await ctr(['rm', 'lc-done'])).code).toBe(0);
    const missing = await ctr(['stop', 'lc-nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toBe(`ctr: no such container: "lc-nope" (see 'ctr ps -a')\n`);
    const kill = await ctr(['kill', '-s', 'NOPE', 'x']);
    expect(kill).toMatchObject({ code: 125, stderr: 'ctr: invalid signal "NOPE": use a name such as TERM or KILL, or a number 1-64\n' });
  });

  it('--rm removes a detached container when it stops; stopped ones stay for ps -a until rm', async () => {
    expect((await ctr(['run', '-d', '--rm', '--name', 'lc-gone', defaultRootfs, 'true'])).code).toBe(0);
    expect((await ctr(['run', '-d', '--name', 'lc-kept', defaultRootfs, 'sh', '-c', 'exit 3'])).code).toBe(0);
    expect((await ctr(['wait', 'lc-kept'])).stdout).toBe('3\n');
    // The next command's sweep releases the stopped container's cgroup and lease, and removes the --rm one.
    const all = JSON.parse((await ctr(['ps', '-a', '--json'])).stdout) as { name: string; exitCode?: number }[];
    expect(all.map((c) => c.name)).toEqual(['lc-kept']);
    expect(all[0]).toMatchObject({ exitCode: 3 });
    expect(existsSync('/run/ctr/containers/lc-gone.json')).toBe(false);
    expect(await ctr(['rm', 'lc-kept'])).toMatchObject({ code: 0 });
  });

  // Regression: every ctr command sweeps first, and a sweep judged containers on a snapshot of the state files
  // taken before a concurrent `ctr run -d` had recorded its shim and exited — so live detached containers were
  // released under their shims (state removed, lease reused). Reproduced at 100 at once: round 2 lost 9 of 100.
  // Two rounds here, the second started while the first's `rm -f` is still being swept by the others.
  it('many ctr run -d at once, round after round: every container keeps running with its own address', async () => {
    for (const round of [1, 2]) {
      const names = Array.from({ length: 60 }, (_, i) => `lc-many-${round}-${i}`);
      const runs = await Promise.all(names.map((n) => ctr(['run', '-d', '--name', n, defaultRootfs, 'sleep', '1000'], { timeoutMs: 120_000 })));
      expect(runs.filter((r) => r.code !== 0).map((r) => r.stderr), `round ${round}`).toEqual([]);
      const listed = JSON.parse((await ctr(['ps', '--json'])).stdout) as { name: string; ip: string }[];
      const mine = listed.filter((c) => c.name.startsWith(`lc-many-${round}-`));
      expect(mine.map((c) => c.name).sort(), `round ${round}`).toEqual([...names].sort());
      expect(new Set(mine.map((c) => c.ip)).size, `round ${round}`).toBe(names.length);
      // Removal in several commands at once, as a user's scripts would; the next round starts right after.
      const removals = await Promise.all([0, 1, 2].map((k) => ctr(['rm', '-f', ...names.filter((_, i) => i % 3 === k)], { timeoutMs: 60_000 })));
      expect(removals.map((r) => r.code)).toEqual([0, 0, 0]);
    }
  }, 300_000);

  it('a ctr run -d killed with SIGKILL mid-create leaves nothing after the next command', async () => {
    const file = '/run/ctr/containers/lc-cut.json';
    const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
    // Three moments of the create phase: the name reserved; the shim running (it made the attach socket) with
    // the container waiting for its start; the network connected, the state file rewritten with the IP.
    const moments: [string, () => boolean][] = [
      ['name reserved', () => existsSync(file)],
      ['shim running', () => existsSync('/run/ctr/containers/lc-cut/attach.sock')],
      ['network up', () => read(file).includes('"ip"')],
    ];
    for (const [moment, reached] of moments) {
      const child = spawn(process.execPath, [cliPath, 'run', '-d', '--name', 'lc-cut', defaultRootfs, 'sleep', '100'], { stdio: 'ignore' });
      while (!reached() && child.exitCode === null) await new Promise((r) => setTimeout(r, 1));
      expect(child.exitCode, moment).toBe(null);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      const next = await ctr(['ps', '-a', '--json']);
      expect(next.code).toBe(0);
      const left = JSON.parse(next.stdout) as { name: string; status: string }[];
      if (left.length > 0) {
        // Killed after the start: the detached container runs on under its shim, as it should; rm releases it.
        expect(left, moment).toEqual([expect.objectContaining({ name: 'lc-cut', status: 'running' })]);
        expect((await ctr(['rm', '-f', 'lc-cut'])).code).toBe(0);
      } else {
        expect(readdirSync('/run/ctr/containers'), moment).toEqual([]);
      }
    }
  });

  it('50 containers run in parallel in one Node process without a MaxListenersExceededWarning', async () => {
    const script = `
      import { runContainer } from ${JSON.stringify(path.resolve(path.dirname(cliPath), 'index.js'))};
      const runs = Array.from({ length: 50 }, (_, i) =>
        runContainer({ rootfs: ${JSON.stringify(defaultRootfs)}, command: ['sh', '-c', 'exit ' + (i % 7)], net: 'none' }));
      const results = await Promise.all(runs);
      console.log(JSON.stringify(results.map((r) => r.exitCode)));
    `;
    const r = await host(process.execPath, ['--input-type=module', '-e', script], 120_000);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(Array.from({ length: 50 }, (_, i) => i % 7));
  }, 150_000);
});
