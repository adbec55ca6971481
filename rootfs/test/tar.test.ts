// tar.test.ts — readTar on archives GNU tar writes in each format (gnu long names, pax, ustar prefix),
// and on damaged ones; no root needed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_METADATA_RECORD, parseNumeric, parsePax, readTar, type TarEntry } from '../src/tar.js';
import { archive, paxRecord } from './tar-writer.js';

interface Seen extends Omit<TarEntry, 'body'> {
  content: string;
}

async function entriesOf(bytes: Buffer, chunk = 700): Promise<Seen[]> {
  // Odd-sized chunks make headers and bodies straddle chunk boundaries, as a real stream does.
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) pieces.push(bytes.subarray(at, at + chunk));
  const seen: Seen[] = [];
  for await (const entry of readTar(Readable.from(pieces))) {
    const parts: Buffer[] = [];
    for await (const piece of entry.body) parts.push(piece);
    const { body: _body, ...rest } = entry;
    seen.push({ ...rest, content: Buffer.concat(parts).toString() });
  }
  return seen;
}

describe('readTar on archives written by GNU tar', () => {
  let dir = '';
  const longDir = 'd'.repeat(90) + '/' + 'e'.repeat(60);
  const longFile = `${longDir}/${'f'.repeat(90)}`;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ctr-tar-'));
    const src = join(dir, 'src');
    mkdirSync(join(src, longDir), { recursive: true });
    writeFileSync(join(src, longFile), 'long\n');
    writeFileSync(join(src, 'suid'), 'x'.repeat(1500));
    chmodSync(join(src, 'suid'), 0o4755);
    linkSync(join(src, 'suid'), join(src, 'hard'));
    symlinkSync('/etc/passwd', join(src, 'abs-link'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['gnu', 'pax', 'ustar'])('reads the %s format: long names, modes, links and bodies', async (format) => {
    // ustar cannot hold a 90-char final component, so it gets a prefix-split path instead.
    const names = format === 'ustar' ? ['suid', 'hard', 'abs-link', longDir] : ['suid', 'hard', 'abs-link', longFile];
    execFileSync('tar', [`--format=${format}`, '-cf', join(dir, 'a.tar'), '-C', join(dir, 'src'), ...names]);
    const seen = await entriesOf(readFileSync(join(dir, 'a.tar')));
    const byPath = new Map(seen.map((entry) => [entry.path.replace(/\/$/, ''), entry]));
    expect(byPath.get('suid')).toMatchObject({ type: 'file', mode: 0o4755, size: 1500, content: 'x'.repeat(1500) });
    expect(byPath.get('hard')).toMatchObject({ type: 'hardlink', linkpath: 'suid', content: '' });
    expect(byPath.get('abs-link')).toMatchObject({ type: 'symlink', linkpath: '/etc/passwd' });
    if (format === 'ustar') expect(byPath.get(longDir)).toMatchObject({ type: 'directory' });
    else expect(byPath.get(longFile)).toMatchObject({ type: 'file', content: 'long\n' });
  });

  it('reads a gzip-less stream whose consumer skips bodies', async () => {
    execFileSync('tar', ['-cf', join(dir, 'a.tar'), '-C', join(dir, 'src'), 'suid', 'abs-link']);
    const paths: string[] = [];
    for await (const entry of readTar(Readable.from([readFileSync(join(dir, 'a.tar'))]))) paths.push(entry.path);
    expect(paths).toEqual(['suid', 'abs-link']);
  });
});

describe('readTar on damaged input', () => {
  it('rejects a bad checksum', async () => {
    const bytes = archive([{ name: 'a', body: 'x' }]);
    bytes[0] = 'b'.charCodeAt(0);
    await expect(entriesOf(bytes)).rejects.toMatchObject({ code: 'EBADTAR', message: /checksum/ });
  });

  it('rejects a truncated body', async () => {
    const bytes = archive([{ name: 'a', body: 'x'.repeat(2000) }]).subarray(0, 1024);
    await expect(entriesOf(bytes)).rejects.toMatchObject({ code: 'EBADTAR', message: /truncated/ });
  });

  it('rejects a pax size that is not a whole number (a fractional one used to loop forever)', async () => {
    for (const size of ['1.5', '0.5', '1e3', '-1', '', '0x10']) {
      const bytes = archive([{ name: 'pax', type: 'x', body: paxRecord('size', size) }, { name: 'a', body: 'xy' }]);
      await expect(entriesOf(bytes)).rejects.toMatchObject({ code: 'EBADTAR', message: /pax size .* is not a whole non-negative number/ });
    }
    // A fractional mtime is normal pax, and a whole size is honoured.
    const ok = archive([{ name: 'pax', type: 'x', body: paxRecord('mtime', '1700000000.75') + paxRecord('size', '1') }, { name: 'a', body: 'x' }]);
    expect(await entriesOf(ok)).toMatchObject([{ path: 'a', mtime: 1700000000, size: 1, content: 'x' }]);
  });

  it.each([
    ['pax header', 'x' as const, paxRecord('path', 'p'.repeat(MAX_METADATA_RECORD))],
    ['GNU long name', 'L' as const, 'n'.repeat(MAX_METADATA_RECORD + 1)],
  ])('refuses a %s record over 1 MiB before reading it', async (kind, type, body) => {
    const bytes = archive([{ name: 'meta', type, body }, { name: 'a', body: 'x' }]);
    await expect(entriesOf(bytes)).rejects.toMatchObject({ code: 'EBADTAR', message: new RegExp(`${kind} record of \\d+ bytes is larger than the 1 MiB limit`) });
    // An ordinary long name is still read.
    const fits = archive([{ name: 'meta', type: 'L', body: `${'n'.repeat(1000)}\0` }, { name: 'a', body: 'x' }]);
    expect((await entriesOf(fits))[0]).toMatchObject({ path: 'n'.repeat(1000) });
  });

  it('rejects text that is not tar', async () => {
    await expect(entriesOf(Buffer.from('hello world\n'.repeat(100)))).rejects.toMatchObject({ code: 'EBADTAR' });
  });
});

describe('field parsers', () => {
  it('parses octal and GNU base-256 numbers', () => {
    expect(parseNumeric(Buffer.from('0000644 \0'), 'mode')).toBe(0o644);
    expect(parseNumeric(Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]), 'size')).toBe(65536);
    expect(() => parseNumeric(Buffer.from('12x\0'), 'size')).toThrow(/not octal/);
  });

  it('parses pax records whose length counts the whole record, UTF-8 included', () => {
    const data = Buffer.from(paxRecord('path', 'é/ü') + paxRecord('size', '12'));
    expect(parsePax(data)).toEqual({ path: 'é/ü', size: '12' });
    expect(() => parsePax(Buffer.from('99 path=x\n'))).toThrow(/malformed/);
  });
});
