// rootfs.test.ts — `ctr rootfs build` through the real CLI: a fresh default rootfs and an imported tarball both
// run a container, a second build has nothing to do, and bad input is one line, exit 125, nothing left.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { ctr, expectNothingLeaked } from '../helpers.js';

describe.skipIf(skipUnless('ctr rootfs build end to end', { root: isRoot }))('ctr rootfs build', () => {
  expectNothingLeaked();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-rootfs-e2e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a rootfs a container runs on, and a second build says it is up to date', async () => {
    const out = path.join(dir, 'built');
    const first = await ctr(['rootfs', 'build', '--out', out], { timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe(out);
    const second = await ctr(['rootfs', 'build', '--out', out]);
    expect(second.stderr).toMatch(/up to date/);
    const run = await ctr(['run', '--net', 'none', '--hostname', 'built', out, 'sh', '-c', 'hostname; ls /server /usr/local/bin/client']);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual(['built', '/server', '/usr/local/bin/client']);
  }, 60_000);

  it('imports a tarball and adds the demo programs', async () => {
    const tarball = path.join(dir, 'tree.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', path.join(dir, 'built'), '--exclude', './server', '--exclude', './usr/local/bin', '.']);
    const out = path.join(dir, 'imported');
    const r = await ctr(['rootfs', 'build', '--from-tar', tarball, '--out', out], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const run = await ctr(['run', '--net', 'none', out, 'sh', '-c', 'ls /server']);
    expect(run.stdout.trim()).toBe('/server');
  }, 60_000);

  it('imports a tarball by name into the store (CTR_ROOTFS_DIR), and ctr run takes the name', async () => {
    const store = path.join(dir, 'store');
    const env = { ...process.env, CTR_ROOTFS_DIR: store };
    const r = await ctr(['rootfs', 'build', '--from-tar', path.join(dir, 'tree.tar.gz'), '--name', 'mini'], { env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(path.join(store, 'mini'));
    const run = await ctr(['run', '--net', 'none', 'mini', 'ls', '/server'], { env });
    expect(run.stdout.trim()).toBe('/server');
    const both = await ctr(['rootfs', 'build', '--name', 'x', '--out', path.join(dir, 'x')], { env });
    expect([both.code, both.stderr]).toEqual([125, 'ctr: give --name or --out, not both\n']);
    expect(readdirSync(store).sort()).toEqual(['.mini.ctr-rootfs.json', 'mini']); // the tree and its stamp beside it
  }, 60_000);

  const bad: [string, string[], RegExp][] = [
    ['a missing tarball', ['--from-tar', '/nonexistent/rootfs.tar'], /\/nonexistent\/rootfs\.tar/],
    ['an output path that is a file', ['--out', '/etc/hostname'], /\/etc\/hostname exists and is not a directory/],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what} in one line with exit 125, leaving nothing`, async () => {
      const before = [readdirSync(dir).sort(), readdirSync('/etc').sort()];
      const r = await ctr(['rootfs', 'build', ...args]);
      expect(r.code).toBe(125);
      const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('ctr:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
      // no temp or half-built tree beside the target
      expect([readdirSync(dir).sort(), readdirSync('/etc').sort()]).toEqual(before);
    });
  }

  it('refuses an unknown action', async () => {
    const r = await ctr(['rootfs', 'frob']);
    expect(r.code).toBe(125);
    expect(r.stderr.trim()).toBe('ctr: unknown "ctr rootfs" action "frob"; use: ctr rootfs build');
  });
});
