// import-tarball.test.ts — importRootfsTarball against real archives as root: modes, owners and links
// kept, device nodes and fifos skipped, a hostile archive contained, bad inputs refused with nothing left
// behind, atomic replacement and the up-to-date stamp.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { skipUnless, isRoot } from '@ctr/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRootfsTarball } from '../src/index.js';
import { archive } from './tar-writer.js';

let work = '';
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ctr-import-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Names in WORK besides the ones a test made itself: temp or old trees left behind. */
const leftovers = (): string[] => readdirSync(work).filter((name) => /^\.out\.(tmp|old)-/.test(name));

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(skipUnless('importing rootfs tarballs keeps ownership', { root: isRoot }))('importRootfsTarball', () => {
  it('imports a tar.gz made by tar(1): modes, owners, symlinks, hard links kept; devices and fifos skipped', async () => {
    const src = join(work, 'src');
    mkdirSync(join(src, 'usr/bin'), { recursive: true });
    mkdirSync(join(src, 'private'), { mode: 0o750 });
    chmodSync(join(src, 'private'), 0o750);
    writeFileSync(join(src, 'usr/bin/tool'), '#!/bin/sh\necho tool\n');
    chownSync(join(src, 'usr/bin/tool'), 0, 0);
    chmodSync(join(src, 'usr/bin/tool'), 0o4755);
    linkSync(join(src, 'usr/bin/tool'), join(src, 'usr/bin/tool-alias'));
    symlinkSync('/usr/bin/tool', join(src, 'abs-link'));
    writeFileSync(join(src, 'private/owned'), 'secret');
    chownSync(join(src, 'private/owned'), 1234, 4321);
    execFileSync('mkfifo', [join(src, 'fifo')]);
    execFileSync('mknod', [join(src, 'null'), 'c', '1', '3']);
    execFileSync('tar', ['-czf', join(work, 'rootfs.tar.gz'), '-C', src, '.']);

    const progress: string[] = [];
    const result = await importRootfsTarball({ file: join(work, 'rootfs.tar.gz'), out: join(work, 'out'), onProgress: (m) => progress.push(m) });
    const out = join(work, 'out');
    expect(result).toMatchObject({ path: out, upToDate: false, skipped: { devices: 1, fifos: 1, unsafe: 0, unsupported: 0 } });
    expect(statSync(join(out, 'usr/bin/tool')).mode & 0o7777).toBe(0o4755);
    expect(statSync(join(out, 'usr/bin/tool-alias')).ino).toBe(statSync(join(out, 'usr/bin/tool')).ino);
    expect(readlinkSync(join(out, 'abs-link'))).toBe('/usr/bin/tool');
    expect(statSync(join(out, 'private')).mode & 0o7777).toBe(0o750);
    expect(statSync(join(out, 'private/owned'))).toMatchObject({ uid: 1234, gid: 4321 });
    expect(existsSync(join(out, 'fifo')) || existsSync(join(out, 'null'))).toBe(false);
    // The demo programs are added, and /server is the same file as /usr/local/bin/server.
    expect(statSync(join(out, 'server')).ino).toBe(statSync(join(out, 'usr/local/bin/server')).ino);
    expect(lstatSync(join(out, 'usr/local/bin/chroot-escape')).isFile()).toBe(true);
    expect(progress.some((line) => /skipped 1 device nodes, 1 fifos/.test(line))).toBe(true);
    expect(leftovers()).toEqual([]);

    const again = await importRootfsTarball({ file: join(work, 'rootfs.tar.gz'), out, onProgress: (m) => progress.push(m) });
    expect(again).toMatchObject({ upToDate: true, skipped: { devices: 1, fifos: 1 } });
    expect(progress.at(-1)).toBe(`up to date: ${out}`);
  });

  it('contains a hostile archive: nothing lands outside the tree', async () => {
    const outside = join(work, 'outside');
    mkdirSync(outside);
    const passwdBefore = sha('/etc/passwd');
    const hostile = archive([
      { name: '../evil', body: 'parent' },
      { name: '../../../../../../tmp/ctr-import-evil', body: 'far' },
      { name: '/abs/evil', body: 'abs' },
      { name: 'link', type: '2', linkname: outside },
      { name: 'link/evil', body: 'through link' },
      { name: 'tmp-link', type: '2', linkname: '/tmp' },
      { name: 'tmp-link/ctr-import-evil', body: 'through /tmp link' },
      { name: 'hard-host', type: '1', linkname: '/etc/passwd' },
      { name: 'hard-up', type: '1', linkname: '../../etc/passwd' },
      { name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n' },
      { name: 'hard-inside', type: '1', linkname: '/etc/passwd' },
      { name: 'dir-link', type: '2', linkname: '/' },
      { name: 'dir-link/etc/passwd', body: 'overwrite' },
      { name: 'dev/null', type: '3' },
      { name: 'pipe', type: '6' },
    ]);
    writeFileSync(join(work, 'hostile.tar'), hostile);
    const out = join(work, 'out');
    const result = await importRootfsTarball({ file: join(work, 'hostile.tar'), out });

    expect(result.skipped).toEqual({ devices: 1, fifos: 1, unsafe: 7, unsupported: 0 });
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(work, 'evil'))).toBe(false);
    expect(existsSync('/tmp/ctr-import-evil')).toBe(false);
    expect(existsSync('/abs')).toBe(false);
    expect(sha('/etc/passwd')).toBe(passwdBefore);
    // Absolute names are re-rooted; symlinks are kept as written; the inside hard link stays inside.
    expect(readFileSync(join(out, 'abs/evil'), 'utf8')).toBe('abs');
    expect(readlinkSync(join(out, 'link'))).toBe(outside);
    expect(statSync(join(out, 'hard-inside')).ino).toBe(statSync(join(out, 'etc/passwd')).ino);
    expect(statSync(join(out, 'hard-inside')).ino).not.toBe(statSync('/etc/passwd').ino);
    expect(existsSync(join(out, 'hard-host')) || existsSync(join(out, 'hard-up'))).toBe(false);
  });

  it('replaces an existing tree atomically and removes the old one', async () => {
    const out = join(work, 'out');
    writeFileSync(join(work, 'a.tar'), archive([{ name: 'from-a', body: 'a' }]));
    writeFileSync(join(work, 'b.tar'), archive([{ name: 'from-b', body: 'b' }]));
    await importRootfsTarball({ file: join(work, 'a.tar'), out });
    const second = await importRootfsTarball({ file: join(work, 'b.tar'), out });
    expect(second.upToDate).toBe(false);
    expect(existsSync(join(out, 'from-b'))).toBe(true);
    expect(existsSync(join(out, 'from-a'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('a tarball that breaks mid-way leaves the previous tree intact and no temp dir', async () => {
    const out = join(work, 'out');
    writeFileSync(join(work, 'good.tar'), archive([{ name: 'good', body: 'ok' }]));
    await importRootfsTarball({ file: join(work, 'good.tar'), out });
    const broken = archive([{ name: 'first', body: 'x'.repeat(600) }, { name: 'second', body: 'y'.repeat(5000) }]).subarray(0, 3000);
    writeFileSync(join(work, 'broken.tar.gz'), gzipSync(broken));
    await expect(importRootfsTarball({ file: join(work, 'broken.tar.gz'), out })).rejects.toMatchObject({
      name: 'RootfsError',
      code: 'EBADTAR',
    });
    expect(readFileSync(join(out, 'good'), 'utf8')).toBe('ok');
    expect(leftovers()).toEqual([]);
  });

  it('refuses to run without root (ENOTROOT), checked in a child that dropped to nobody', async () => {
    // The built bundle is what a non-root user would run; turbo builds it before the tests.
    const bundle = new URL('../dist/index.js', import.meta.url).pathname;
    const script = `import(${JSON.stringify(bundle)}).then((m) => m.importRootfsTarball({ file: '/etc/hostname', out: ${JSON.stringify(join(work, 'out'))} })).catch((e) => console.log(e.code))`;
    chmodSync(work, 0o755);
    const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('ENOTROOT');
    expect(readdirSync(work)).toEqual([]);
  });

  it.each([
    ['a missing tarball', () => ({ file: join(work, 'nope.tar') }), 'ENOENT'],
    ['a directory as tarball', () => ({ file: work }), 'EISDIR'],
    ['a file that is not tar', () => (writeFileSync(join(work, 'junk'), 'junk'.repeat(300)), { file: join(work, 'junk') }), 'EBADTAR'],
    ['an empty file', () => (writeFileSync(join(work, 'empty'), ''), { file: join(work, 'empty') }), 'EBADTAR'],
    ['a truncated gzip', () => (writeFileSync(join(work, 't.gz'), gzipSync(archive([{ name: 'a', body: 'a' }])).subarray(0, 30)), { file: join(work, 't.gz') }), 'EBADTAR'],
    ['a gzip whose trailer is cut (the tar inside is whole)', () => {
      const gz = gzipSync(archive([{ name: 'a', body: 'a' }]));
      writeFileSync(join(work, 'cut.gz'), gz.subarray(0, gz.length - 4));
      return { file: join(work, 'cut.gz') };
    }, 'EBADTAR'],
    ['a gzip whose CRC does not match its data', () => {
      const gz = gzipSync(archive([{ name: 'a', body: 'a' }]));
      gz[gz.length - 8]! ^= 0xff;
      writeFileSync(join(work, 'crc.gz'), gz);
      return { file: join(work, 'crc.gz') };
    }, 'EBADTAR'],
    ['an xz tarball', () => (writeFileSync(join(work, 'x.xz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])), { file: join(work, 'x.xz') }), 'EBADTAR'],
    ['an output path that is a file', () => (writeFileSync(join(work, 'out'), 'file'), writeFileSync(join(work, 'ok.tar'), archive([{ name: 'a' }])), { file: join(work, 'ok.tar') }), 'ENOTDIR'],
  ])('refuses %s and leaves nothing behind', async (_what, input, code) => {
    const options = input();
    const error = await importRootfsTarball({ out: join(work, 'out'), ...options }).catch((err: unknown) => err);
    expect(error).toMatchObject({ name: 'RootfsError', code });
    expect((error as Error).message).not.toMatch(/\.$/);
    expect((error as { path?: string }).path).toBeTruthy();
    expect(leftovers()).toEqual([]);
    if (code !== 'ENOTDIR') expect(existsSync(join(work, 'out'))).toBe(false);
  });
});
