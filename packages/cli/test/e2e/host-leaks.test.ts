// host-leaks.test.ts — what of the host could reach a container through ctr, each made possible first and then
// looked for from inside, so a regression fails a test instead of going unseen:
// - fds: the caller leaks a directory and a file into ctr (inherited without CLOEXEC); inside, PID 1 and the
//   command hold 0, 1 and 2 only — the caller's own stdio (or, with -t, the container's pty) — in fds mode,
//   with --init, with --userns auto and through a real terminal (`script`).
// - cwd: `-w /proc/self/fd/3` names that leaked directory (CVE-2024-21626); the command must never start there.
// - the runtime's binary: a command `/proc/self/exe`, resolved while the clone child is still a copy of ctr,
//   would run the HOST's node as a container process (CVE-2019-5736), open for writing through /proc/1/exe.
// - supplementary groups of whoever started ctr.
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readlinkSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { cliPath, ctr, defaultRootfs, demoBuild, expectNothingLeaked, host } from '../helpers.js';

/**
 * Shell run inside: the fds of PID 1, of the shell itself, and where the shell's 0, 1 and 2 lead. No pipe and
 * no $(…): the shell would hold its end of it while ls looks.
 */
const listFds = 'ls /proc/1/fd; echo --; ls /proc/$$/fd; echo --; readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2';

interface FdReport {
  pid1: string[];
  own: string[];
  stdio: string[];
}

const words = (line: string | undefined): string[] => (line ?? '').trim().split(/\s+/).filter(Boolean);

function parseFds(stdout: string): FdReport {
  const [pid1, own, stdio] = stdout.split(/^--\r?$/m);
  return { pid1: words(pid1), own: words(own), stdio: words(stdio) };
}

describe.skipIf(skipUnless('host leaks into ctr containers', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('ctr run: nothing of the host leaks in', () => {
  expectNothingLeaked();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-leaks-'));
  const leakedDir = path.join(dir, 'host-dir');
  mkdirSync(leakedDir);
  // Node opens both with O_CLOEXEC; spawn's stdio[3], [4] hand them to ctr as 3 and 4 without it.
  const leaked = [openSync(leakedDir, 'r'), openSync(path.join(dir, 'host-file'), 'w')];
  afterAll(() => {
    leaked.forEach((fd) => closeSync(fd));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const flags of [[], ['-i'], ['-i', '--init'], ['-i', '--userns', 'auto']]) {
    it(`with ${flags.join(' ') || 'no flag'}, PID 1 and the command hold only the caller's stdio, not the fds it leaked into ctr`, async () => {
      let inCtr: string[] = [];
      const r = await ctr(['run', '--net', 'none', ...flags, defaultRootfs, 'sh', '-c', listFds], {
        extraFds: leaked,
        // ctr really holds them: what it could pass on, had it not closed them.
        onSpawn: (c) => (inCtr = [0, 1, 2, 3, 4].map((fd) => readlinkSync(`/proc/${c.pid}/fd/${fd}`))),
      });
      expect(r.code, r.stderr).toBe(0);
      expect(inCtr.slice(3)).toEqual([leakedDir, path.join(dir, 'host-file')]);
      const fds = parseFds(r.stdout);
      expect(fds.pid1).toEqual(['0', '1', '2']);
      expect(fds.own).toEqual(['0', '1', '2']);
      // 0, 1 and 2 are ctr's own, the caller's pipes (the same pipe inodes seen from both sides); without -i
      // stdin is /dev/null instead.
      expect(fds.stdio).toEqual(flags.includes('-i') ? inCtr.slice(0, 3) : ['/dev/null', ...inCtr.slice(1, 3)]);
    });
  }

  it('with -t through a real terminal, 0 to 2 are the container pty and nothing the caller leaked gets in', async () => {
    const held = path.join(dir, 'held');
    // The outer shell records that it holds fd 3 and becomes ctr by exec, which keeps fds without CLOEXEC.
    const command = `readlink /proc/$$/fd/3 > ${held}; exec ${process.execPath} ${cliPath} run -t --net none ${defaultRootfs} sh -c '${listFds.replaceAll("'", "'\\''")}'`;
    const r = await host('script', ['-qec', command, '/dev/null'], 20_000, { extraFds: leaked });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(held, 'utf8').trim()).toBe(leakedDir);
    const fds = parseFds(r.stdout);
    expect(fds.pid1).toEqual(['0', '1', '2']);
    expect(fds.own).toEqual(['0', '1', '2']);
    expect(fds.stdio).toEqual(['/dev/pts/0', '/dev/pts/0', '/dev/pts/0']);
  });

  // Depends on the cwd hardening: before it, chdir("/proc/self/fd/3") ran before the fds were closed and the
  // command started in the host directory.
  it('never starts the command in a leaked host directory named as -w /proc/self/fd/3', async () => {
    const r = await ctr(['run', '--net', 'none', '-w', '/proc/self/fd/3', defaultRootfs, 'escape-probe', '--only', 'cwd-outside-root,fd-host-dir'], {
      extraFds: leaked,
    });
    if (r.code === 0) {
      expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
        { probe: 'fd-host-dir', result: 'blocked' },
        { probe: 'cwd-outside-root', result: 'blocked' },
      ]);
    } else {
      // Refused: one line naming the directory, exit 125, nothing ran.
      expect(r.code).toBe(125);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/\/proc\/self\/fd\/3/);
      expect(r.stdout).toBe('');
    }
  });

  // Depends on the setgroups reset.
  it('drops the supplementary groups of whoever started ctr', async () => {
    const withGroups = (args: string[]): Promise<string> =>
      host('setpriv', ['--groups', '27,44', '--', ...args]).then((r) => {
        expect(r.code, r.stderr).toBe(0);
        return r.stdout;
      });
    // setpriv really hands the groups on: ctr starts with them.
    expect(await withGroups(['grep', '^Groups:', '/proc/self/status'])).toMatch(/^Groups:\s+27 44\s*$/m);
    const inside = await withGroups([process.execPath, cliPath, 'run', '--net', 'none', defaultRootfs, 'sh', '-c',
      'grep -E "^(Groups|Gid):" /proc/self/status; escape-probe --only supplementary-groups']);
    expect(inside).toMatch(/^Groups:\s*$/m);
    expect(inside).toMatch(/^Gid:\s+0\s+0\s+0\s+0\s*$/m);
    expect(inside).toMatch(/^\{"probe":"supplementary-groups","result":"blocked"\}$/m);
  });

  describe('a command named /proc/self/exe', () => {
    // A root that can run the host's node: its loader and libraries (from ldd), and escape-probe. A copy of
    // node itself proves it (a broken root would make the real check below pass for the wrong reason).
    const root = path.join(dir, 'node-root');
    const js = 'console.log("host node ran"); require("child_process").spawnSync("/escape-probe", ["--only", "proc-exe-host"], { stdio: "inherit" })';
    const prepare = async (): Promise<void> => {
      if (existsSync(root)) return;
      const ldd = await host('ldd', [process.execPath]);
      for (const lib of ldd.stdout.matchAll(/(\/\S+)\s+\(0x/g)) {
        mkdirSync(path.join(root, path.dirname(lib[1]!)), { recursive: true });
        copyFileSync(lib[1]!, path.join(root, lib[1]!));
      }
      copyFileSync(path.join(demoBuild, 'escape-probe'), path.join(root, 'escape-probe'));
    };

    it('runs node from inside that root when node is a file of it', async () => {
      await prepare();
      copyFileSync(process.execPath, path.join(root, 'node'));
      try {
        const r = await ctr(['run', '--net', 'none', root, '/node', '-e', js], { timeoutMs: 30_000 });
        expect(r.code, r.stderr).toBe(0);
        // node as a file of the root is fine: the probe finds no host image.
        expect(r.stdout).toBe('host node ran\n{"probe":"proc-exe-host","result":"blocked"}\n');
      } finally {
        rmSync(path.join(root, 'node'), { force: true });
      }
    }, 60_000);

    // Depends on the exec trampoline: before it, /proc/self/exe resolved to the host's node and this printed
    // "host node ran" and proc-exe-host "succeeded".
    for (const flags of [[], ['--init']]) {
      it(`never runs the host's node${flags.length ? ` (${flags.join(' ')})` : ''}`, async () => {
        await prepare();
        const r = await ctr(['run', '--net', 'none', ...flags, root, '/proc/self/exe', '-e', js], { timeoutMs: 30_000 });
        expect(r.stdout).not.toMatch(/host node ran/);
        expect(r.stdout).not.toMatch(/succeeded/);
      }, 60_000);
    }
  });
});
