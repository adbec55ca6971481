// supervisor.test.ts — spawnContainer with `supervisor`: ctr-shim (init/ctr-shim.c) is the container's
// parent, records its exit atomically, logs its output with timestamps, serves attach, and either outlives
// the spawning process or (tiedTo) kills the container when that process dies; a shim image the kernel
// cannot exec is a clean error with nothing left behind. Needs root.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { closeFd, pidfdOpen, pidfdWait, pipe, type SpawnContainerOptions } from '../lib/index.js';
import { native, staticHelperPath } from '../lib/native.js';
import { hostMounts, processExists, shOptions, useSandbox } from './helpers.js';

const ppidOf = (pid: number): number => Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

/** PIDs of the host's processes in a PID namespace other than this process's: containers. */
function containerPids(): number[] {
  const own = readlinkSync('/proc/self/ns/pid');
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((e) => {
    try {
      return readlinkSync(`/proc/${e}/ns/pid`) !== own;
    } catch {
      return false; // exited while we looked, or a kernel thread
    }
  }).map(Number);
}

async function waitForFile(file: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} never appeared`);
    await sleep(20);
  }
  return readFileSync(file, 'utf8');
}

describe.skipIf(skipUnless('ctr-shim supervises real containers', { root: isRoot }))('supervised spawn', () => {
  const sandbox = useSandbox();
  let dir: string;
  let nullFd: number;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ctr-shim-'));
    nullFd = openSync('/dev/null', 'r');
  });
  afterEach(() => {
    closeSync(nullFd);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A supervised `sh -c script` whose stdout and stderr go to the shim through pipes. */
  function spawnLogged(script: string, extra: Partial<SpawnContainerOptions['supervisor']> = {}) {
    const [outR, outW] = pipe();
    const [errR, errW] = pipe();
    try {
      return sandbox.tracker.spawn({
        ...shOptions(sandbox.rootfs, script, outW, nullFd),
        stdio: { kind: 'fds', fds: [nullFd, outW, errW] },
        supervisor: { dir, stdout: outR, stderr: errR, ...extra },
      });
    } finally {
      for (const fd of [outR, outW, errR, errW]) closeFd(fd);
    }
  }

  it('is the parent of the container, records its exit code and logs each line with a timestamp', async () => {
    const c = spawnLogged('echo out-line; echo err-line >&2; printf tail; exit 7');
    expect(ppidOf(c.pid)).toBe(c.supervisorPid);
    expect(readFileSync(`/proc/${c.supervisorPid}/comm`, 'utf8').trim()).toBe('ctr-shim');
    c.start();
    await c.wait();
    const exit = JSON.parse(readFileSync(path.join(dir, 'exit.json'), 'utf8'));
    expect(exit).toMatchObject({ exitCode: 7, signal: null });
    expect(Date.parse(exit.finishedAt)).toBeGreaterThan(Date.now() - 10_000);
    const log = readFileSync(path.join(dir, 'container.log'), 'utf8').trim().split('\n');
    const ts = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z';
    expect(log).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${ts} stdout F out-line$`)),
      expect.stringMatching(new RegExp(`^${ts} stderr F err-line$`)),
      expect.stringMatching(new RegExp(`^${ts} stdout P tail$`)),
    ]));
    expect(existsSync(path.join(dir, 'attach.sock'))).toBe(false);
  });

  it('records a signal death and keeps no fd of the runtime', async () => {
    const c = spawnLogged('sleep 30');
    c.start();
    const fds = readdirSync(`/proc/${c.supervisorPid}/fd`).map(Number).sort((a, b) => a - b);
    // 0-2 on /dev/null, the container's pidfd, two pipes, the log, the attach socket: nothing of ours.
    expect(fds.length).toBeLessThanOrEqual(8);
    c.kill('SIGKILL');
    await c.wait();
    expect(JSON.parse(readFileSync(path.join(dir, 'exit.json'), 'utf8'))).toMatchObject({ exitCode: null, signal: 9 });
  });

  it('streams output to an attached client and says when the container exited', async () => {
    const c = spawnLogged('sleep 0.5; echo streamed; exit 0');
    // The shim listens before it reports ready, so the socket is there when spawnContainer returns.
    expect(existsSync(path.join(dir, 'attach.sock'))).toBe(true);
    c.start();
    const frames: { type: string; data: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const sock = net.connect(path.join(dir, 'attach.sock'));
      let buf = Buffer.alloc(0);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
          const len = buf.readUInt32BE(1);
          frames.push({ type: String.fromCharCode(buf[0]!), data: buf.subarray(5, 5 + len).toString() });
          buf = buf.subarray(5 + len);
        }
      });
      sock.on('close', () => resolve());
      sock.on('error', reject);
    });
    await c.wait();
    expect(frames).toEqual([{ type: 'o', data: 'streamed\n' }, { type: 'x', data: '' }]);
  });

  it('throws EACCES from execveat when the shim image cannot be exec\'d, leaving no process, fd or mount', () => {
    // The launcher runs in this process's memory until that exec: its failure must still come back as an
    // error, with the container it had already cloned killed and reaped. The image fd is not the sealed
    // ctr-shim the public API always passes, so the raw binding is called.
    const bad = path.join(dir, 'not-a-shim');
    // no execute bit: EACCES even for root (libuv has no name for ENOEXEC, which `code` would need)
    writeFileSync(bad, 'neither ELF nor #!\n', { mode: 0o644 });
    const imageFd = openSync(bad, 'r');
    const initFd = native.loadInitImage(staticHelperPath('ctr-init'), 'ctr-init');
    const before = new Set(containerPids());
    const fdsBefore = readdirSync('/proc/self/fd').length;
    const mountsBefore = hostMounts();
    try {
      expect(() => native.spawnContainer({
        ...shOptions(sandbox.rootfs, 'exit 0', nullFd, nullFd),
        stdio: { kind: 'fds', fds: [nullFd, nullFd, nullFd] },
        initFd,
        init: false,
        supervisor: { imageFd, args: ['-d', dir], keepFds: [], ownsTerminal: false, holdsStart: false, detached: false },
      })).toThrow(expect.objectContaining({ code: 'EACCES', syscall: 'execveat', path: 'ctr-shim' }));
      expect(containerPids().filter((pid) => !before.has(pid))).toEqual([]);
      expect(readdirSync('/proc/self/fd').length).toBe(fdsBefore);
      expect(hostMounts()).toBe(mountsBefore);
    } finally {
      closeSync(imageFd);
      closeFd(initFd);
    }
  });

  it('outlives the process that spawned it, and tiedTo kills the container with that process', async () => {
    // A separate Node process spawns two containers and is SIGKILLed: the free one keeps running under its
    // shim, the tied one is killed by its shim.
    const script = `
      import { spawnContainer, pidfdOpen } from ${JSON.stringify(path.resolve('dist/index.js'))};
      import { openSync, mkdirSync } from 'node:fs';
      const base = ${JSON.stringify(dir)};
      const nul = openSync('/dev/null', 'r');
      const me = pidfdOpen(process.pid);
      const pids = [];
      for (const [sub, tie] of [['free', false], ['tied', true]]) {
        mkdirSync(base + '/' + sub);
        const c = spawnContainer({ rootfs: ${JSON.stringify(sandbox.rootfs)}, hostname: sub, argv: ['sh', '-c', 'sleep 30'],
          execCandidates: ['/usr/bin/sh'], env: ['PATH=/usr/bin'], cwd: '/', stdio: { kind: 'fds', fds: [nul, nul, nul] },
          supervisor: { dir: base + '/' + sub, ...(tie ? { tiedTo: me } : {}) } });
        c.start();
        pids.push(c.pid, c.supervisorPid);
      }
      console.log(JSON.stringify(pids));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
    const [freePid, freeShim, tiedPid] = JSON.parse(line) as number[];
    const shimFd = pidfdOpen(freeShim!);
    const containerFd = pidfdOpen(freePid!);
    try {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const tiedExit = await waitForFile(path.join(dir, 'tied', 'exit.json'));
      expect(JSON.parse(tiedExit)).toMatchObject({ signal: 9 });
      expect(processExists(tiedPid!)).toBe(false);
      expect(processExists(freePid!)).toBe(true);
      expect(ppidOf(freePid!)).toBe(freeShim);
    } finally {
      // The free container goes when its shim is killed (its PR_SET_PDEATHSIG follows the shim).
      process.kill(freeShim!, 'SIGKILL');
      expect(pidfdWait(shimFd, 5000)).toBe(true);
      expect(pidfdWait(containerFd, 5000)).toBe(true);
      closeFd(shimFd);
      closeFd(containerFd);
    }
  });
});
