// default-rootfs.test.ts — buildDefaultRootfs: the tree's layout and /etc, the up-to-date stamp, bad
// output paths; then, as root, that the tree is self-sufficient: its bash, ps, hostname, ip and ls run
// with only that tree as root (chroot in new mount, PID and UTS namespaces, proc mounted for ps).
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { skipUnless, isRoot } from '@ctr/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefaultRootfs, type DefaultRootfsResult } from '../src/index.js';
import { stampPath } from '../src/atomic.js';

const run = promisify(execFile);

let work = '';
let tree = '';
let first: DefaultRootfsResult;
let firstMs = 0;
const progress: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ctr-default-'));
  tree = join(work, 'rootfs');
  const started = performance.now();
  first = await buildDefaultRootfs({ out: tree, onProgress: (line) => progress.push(line) });
  firstMs = performance.now() - started;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a bash command line with only the built tree as root, in fresh mount, PID and UTS namespaces. */
async function inTree(script: string): Promise<string> {
  // --mount-proc mounts a proc for the new PID namespace at TREE/proc, inside the new mount namespace,
  // so it disappears with the namespace: nothing to unmount afterwards.
  const { stdout } = await run(
    'unshare',
    ['--mount', '--pid', '--fork', '--uts', `--mount-proc=${join(tree, 'proc')}`, 'chroot', tree, '/bin/bash', '-c', script],
    { env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', TERM: 'xterm' }, timeout: 20_000 },
  );
  return stdout;
}

describe('buildDefaultRootfs', () => {
  it('builds a tree with the host programs, their loader and libraries, and the demo programs', () => {
    expect(first).toMatchObject({ path: tree, upToDate: false });
    expect(first.files).toBeGreaterThan(60);
    expect(progress).toContain(`copying ${first.files} files from the host`);
    for (const program of ['bash', 'ps', 'top', 'hostname', 'ls', 'grep', 'mount']) expect(existsSync(join(tree, 'usr/bin', program))).toBe(true);
    expect(existsSync(join(tree, 'usr/sbin/ip')) || existsSync(join(tree, 'usr/bin/ip'))).toBe(true);
    expect(lstatSync(join(tree, 'usr/lib/x86_64-linux-gnu/libc.so.6')).isFile() || lstatSync(join(tree, 'usr/lib/x86_64-linux-gnu/libc.so.6')).isSymbolicLink()).toBe(true);
    expect(statSync(join(tree, 'server')).ino).toBe(statSync(join(tree, 'usr/local/bin/server')).ino);
    expect(statSync(join(tree, 'threads-cpu')).ino).toBe(statSync(join(tree, 'usr/local/bin/threads-cpu')).ino);
    expect(existsSync(join(tree, 'usr/lib/terminfo/x/xterm-256color')) || existsSync(join(tree, 'usr/share/terminfo/x/xterm-256color'))).toBe(true);
  });

  it('mirrors merged /usr and lays out /etc, /root, /tmp and empty mount points', () => {
    for (const name of ['bin', 'sbin', 'lib', 'lib64'])
      if (lstatSync(`/${name}`, { throwIfNoEntry: false })?.isSymbolicLink()) expect(readlinkSync(join(tree, name))).toBe(readlinkSync(`/${name}`));
    expect(statSync(join(tree, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(tree, 'root')).mode & 0o7777).toBe(0o700);
    expect(statSync(tree).mode & 0o7777).toBe(0o755);
    for (const dir of ['proc', 'sys', 'dev', 'run', 'home', 'var/tmp']) expect(readdirSync(join(tree, dir))).toEqual([]);
    expect(readFileSync(join(tree, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:root:\/root:\/bin\/bash$/m);
    expect(readFileSync(join(tree, 'etc/hosts'), 'utf8')).toMatch(/^127\.0\.0\.1\s+localhost$/m);
    expect(readFileSync(join(tree, 'etc/bash.bashrc'), 'utf8')).toContain(String.raw`PS1='\u@\h:\w\$ '`);
    expect(existsSync(join(tree, 'etc/hostname'))).toBe(false);
  });

  it('says up to date on a second run, faster, and changes nothing', async () => {
    const stampBefore = statSync(stampPath(tree)).mtimeMs;
    const lines: string[] = [];
    const started = performance.now();
    const second = await buildDefaultRootfs({ out: tree, onProgress: (line) => lines.push(line) });
    const secondMs = performance.now() - started;
    expect(second).toEqual({ ...first, upToDate: true });
    expect(lines.at(-1)).toBe(`up to date: ${tree}`);
    expect(statSync(stampPath(tree)).mtimeMs).toBe(stampBefore);
    expect(secondMs).toBeLessThan(firstMs);
    console.log(`default rootfs: ${first.files} files, ${(first.bytes / 2 ** 20).toFixed(1)} MiB, built in ${firstMs.toFixed(0)} ms, up-to-date check ${secondMs.toFixed(0)} ms`);
  });

  it('refuses an output path that is a file, or whose parent is missing, leaving nothing behind', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    await expect(buildDefaultRootfs({ out: file })).rejects.toMatchObject({ name: 'RootfsError', code: 'ENOTDIR', path: file });
    const orphan = join(work, 'missing', 'rootfs');
    await expect(buildDefaultRootfs({ out: orphan })).rejects.toMatchObject({ code: 'ENOENT', path: join(work, 'missing') });
    expect(readdirSync(work).sort()).toEqual(['.rootfs.ctr-rootfs.json', 'a-file', 'rootfs']);
  });
});

describe.skipIf(skipUnless('the default rootfs runs with only itself as root', { root: isRoot }))('the built tree, chrooted', () => {
  it('runs bash, hostname, ps, ip and ls from the tree alone', async () => {
    const out = await inTree('hostname ctr-test && hostname && ps -e -o pid=,comm= && ip -V && ls / && id -un');
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('ctr-test');
    // In the new PID namespace bash is PID 1 and the only other process is ps itself.
    expect(lines.slice(1, 3).map((line) => line.trim().split(/\s+/))).toEqual([
      ['1', 'bash'],
      [expect.stringMatching(/^\d+$/), 'ps'],
    ]);
    expect(out).toMatch(/^ip utility, iproute2-/m);
    expect(lines).toEqual(expect.arrayContaining(['server', 'threads-cpu', 'usr', 'etc', 'proc']));
    expect(lines.at(-1)).toBe('root');
  });

  it('gives an interactive bash the root@HOSTNAME prompt and runs the demo programs from /', async () => {
    const out = await inTree(`hostname box && bash -i -c 'echo "\${PS1@P}"' 2>/dev/null && cd / && ./threads-cpu --help | head -1 && ./server --help | head -1`);
    expect(out.split('\n').slice(0, 3)).toEqual(['root@box:/# ', 'usage: threads-cpu N [--seconds S]', 'usage: server [--port N] [--once]']);
  });

  it('refuses to rebuild over a tree with something mounted in it', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ctr-busy-'));
    try {
      mkdirSync(join(scratch, 'rootfs', 'mnt'), { recursive: true });
      await run('mount', ['-t', 'tmpfs', 'ctr-test', join(scratch, 'rootfs', 'mnt')]);
      try {
        await expect(buildDefaultRootfs({ out: join(scratch, 'rootfs') })).rejects.toMatchObject({ code: 'EBUSY', path: join(scratch, 'rootfs', 'mnt') });
        expect(readdirSync(scratch)).toEqual(['rootfs']);
      } finally {
        await run('umount', [join(scratch, 'rootfs', 'mnt')]);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
