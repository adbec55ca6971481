// atomic.test.ts — buildAtomically and extractEntries keep a half-built tree out of reach: the tree grows
// inside a 0700 directory, extracted directories get their (maybe world-writable) modes only at the end, and
// the up-to-date stamp lives beside the tree, where a container writing into the tree cannot forge it.
// No root needed: entries carry the caller's own uid.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAtomically, stampPath } from '../src/atomic.js';
import { extractEntries } from '../src/extract.js';
import type { TarEntry } from '../src/tar.js';

let work = '';
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ctr-atomic-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const quiet = (): void => {};

describe('buildAtomically', () => {
  it('builds inside a 0700 hidden directory and keeps the stamp beside the tree, not in it', async () => {
    const out = join(work, 'tree');
    let fence = '';
    const first = await buildAtomically(out, 'hash-1', quiet, async (dir) => {
      fence = dirname(dir);
      expect(basename(fence)).toMatch(/^\.tree\.tmp-/);
      expect((await stat(fence)).mode & 0o777).toBe(0o700);
      writeFileSync(join(dir, 'file'), 'x');
      return { n: 1 };
    });
    expect(first).toEqual({ path: out, upToDate: false, summary: { n: 1 } });
    expect(statSync(out).mode & 0o777).toBe(0o755);
    expect(readdirSync(out)).toEqual(['file']);
    expect(readdirSync(work).sort()).toEqual(['.tree.ctr-rootfs.json', 'tree']);
    expect(existsSync(fence)).toBe(false);
    const again = await buildAtomically(out, 'hash-1', quiet, () => Promise.reject(new Error('must not rebuild')));
    expect(again).toEqual({ path: out, upToDate: true, summary: { n: 1 } });
  });

  it('does not trust a stamp planted inside the tree, nor a stamp whose tree was replaced', async () => {
    const out = join(work, 'tree');
    let builds = 0;
    const build = async (): Promise<number> => ++builds;
    await buildAtomically(out, 'h', quiet, build);
    // What a --rootfs-rw container could do: write a matching stamp where the old builder looked for it.
    const stamp = { builder: 1, inputHash: 'h', summary: 0 };
    writeFileSync(join(out, '.ctr-rootfs.json'), JSON.stringify(stamp));
    rmSync(stampPath(out));
    expect((await buildAtomically(out, 'h', quiet, build)).upToDate).toBe(false);
    // A tree swapped in by other means keeps the sibling stamp but not the inode it names.
    rmSync(out, { recursive: true });
    mkdirSync(out);
    expect((await buildAtomically(out, 'h', quiet, build)).upToDate).toBe(false);
    expect(builds).toBe(3);
    expect((await buildAtomically(out, 'h', quiet, build)).upToDate).toBe(true);
  });
});

describe('extractEntries', () => {
  it('creates directories 0700 and gives them their modes only after the last entry', async () => {
    const root = join(work, 'root');
    mkdirSync(root, { mode: 0o700 });
    const uid = process.getuid!();
    const gid = process.getgid!();
    const entry = (path: string, type: TarEntry['type'], mode: number, body = ''): TarEntry => ({
      path, type, mode, uid, gid, mtime: 1_700_000_000, size: body.length, linkpath: '',
      body: (async function* () {
        if (body) yield Buffer.from(body);
      })(),
    });
    const seen: number[] = [];
    async function* entries(): AsyncGenerator<TarEntry> {
      yield entry('./', 'directory', 0o755);
      yield entry('tmp/', 'directory', 0o1777);
      yield entry('opt/', 'directory', 0o777);
      // While later entries are written, nothing is world-writable yet.
      seen.push(statSync(join(root, 'tmp')).mode & 0o7777, statSync(join(root, 'opt')).mode & 0o7777);
      yield entry('tmp/file', 'file', 0o644, 'x');
    }
    const summary = await extractEntries(entries(), root, quiet, quiet);
    expect(summary).toMatchObject({ directories: 2, files: 1 });
    expect(seen).toEqual([0o700, 0o700]);
    expect(statSync(join(root, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(root, 'opt')).mode & 0o7777).toBe(0o777);
    expect(statSync(root).mode & 0o7777).toBe(0o755);
  });
});
