// first-exec.test.ts — the holes between clone and the command, end to end through the real `ctr`: the
// container's first exec is never the host's node (/proc/self/exe), a working directory through an fd that
// ctr inherited is refused rather than entered (closed, or found outside the root after chdir), the supplementary groups and gid ctr runs with do not reach
// the container, and a rootfs whose /proc is a symlink is refused. Each refusal is one line and exit 125.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { cliPath, ctr, defaultRootfs, expectNothingLeaked, host } from '../helpers.js';

/** `Name:\tvalue` of a /proc/PID/status text, trimmed. */
const statusField = (text: string, name: string) => new RegExp(`^${name}:\\t(.*)$`, 'm').exec(text)?.[1]?.trim();

describe.skipIf(skipUnless('ctr run setup order end to end', { root: isRoot }))('ctr run: first exec and setup order', () => {
  expectNothingLeaked();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-first-exec-'));
  writeFileSync(path.join(dir, 'host-only'), '');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs ctr-init, not the host node, for /proc/self/exe as the command', async () => {
    const r = await ctr(['run', '--net', 'none', defaultRootfs, '/proc/self/exe', '--version']);
    expect(r.stdout + r.stderr).not.toContain(process.version);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/^usage: ctr-init /) });
  });

  it('refuses a --workdir through /proc/self/fd/N of a host directory ctr inherited, in one line', async () => {
    // The shell opens the directory as fd 3 without CLOEXEC and execs ctr, which keeps it: a leaked fd.
    const r = await host('sh', ['-c', 'exec 3<"$0"; exec "$@"', dir, process.execPath, cliPath, 'run', '--net', 'none',
      '-w', '/proc/self/fd/3', defaultRootfs, 'ls']);
    expect(r.stdout).not.toContain('host-only');
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^ctr: container setup failed at chdir: .*'\/proc\/self\/fd\/3'\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a --workdir that lands outside the root through -i stdin being a host directory, in one line', async () => {
    // fd 0 reaches the container, so chdir("/proc/self/fd/0") succeeds; the check after it must refuse.
    const r = await host('sh', ['-c', 'exec "$@" <"$0"', dir, process.execPath, cliPath, 'run', '-i', '--net', 'none',
      '-w', '/proc/self/fd/0', defaultRootfs, 'ls']);
    expect(r.stdout).not.toContain('host-only');
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/getcwd.*'\/proc\/self\/fd\/0'/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('starts the container as gid 0 without the supplementary groups ctr runs with', async () => {
    // Control: what setpriv gives the program it runs, here ctr itself.
    const control = await host('setpriv', ['--regid', '24', '--groups', '4,24', '--', 'cat', '/proc/self/status']);
    expect([statusField(control.stdout, 'Groups'), statusField(control.stdout, 'Gid')]).toEqual(['4 24', '24\t24\t24\t24']);
    const r = await host('setpriv', ['--regid', '24', '--groups', '4,24', '--', process.execPath, cliPath, 'run', '--net',
      'none', defaultRootfs, 'cat', '/proc/self/status']);
    expect(r.code, r.stderr).toBe(0);
    const inside = r.stdout;
    expect([statusField(inside, 'Groups'), statusField(inside, 'Uid'), statusField(inside, 'Gid')]).toEqual([
      '',
      '0\t0\t0\t0',
      '0\t0\t0\t0',
    ]);
  });

  it('refuses a rootfs whose /proc is a symlink, in one line', async () => {
    const rootfs = path.join(dir, 'rootfs');
    mkdirSync(rootfs);
    symlinkSync('/etc', path.join(rootfs, 'proc'));
    const r = await ctr(['run', '--net', 'none', rootfs, '/bin/true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/openat2: Too many levels of symbolic links '.*\/rootfs\/proc'/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
