// rootfs-store.test.ts — how `ctr run` tells a rootfs from a command now that ROOTFS is optional, and where
// the store is (CTR_ROOTFS_DIR; the checkout's rootfs/ when ctr runs from one).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { stampPath } from '@ctr/rootfs';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ctr-store-'));
const store = path.join(tmp, 'store');
const elsewhere = path.join(tmp, 'elsewhere');
mkdirSync(elsewhere);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** The module as a fresh ctr process sees it with CTR_ROOTFS_DIR set to `dir` (config.ts reads it once). */
async function withStore(dir: string | undefined) {
  vi.resetModules();
  vi.stubEnv('CTR_ROOTFS_DIR', dir);
  return import('../../src/runtime/rootfs-store.js');
}

describe('the rootfs store', () => {
  it('is the checkout\'s rootfs/ when ctr runs from a checkout and CTR_ROOTFS_DIR is unset', async () => {
    const { namedRootfsPath } = await withStore(undefined);
    const checkout = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
    expect(namedRootfsPath('default')).toBe(path.join(checkout, 'rootfs/default'));
  });

  it.each(['..', '.hidden', '-x', 'a/b', '', 'sp ace'])('refuses the name %j', async (name) => {
    const { namedRootfsPath } = await withStore(store);
    expect(() => namedRootfsPath(name)).toThrow(/^rootfs name ".*" must be letters, digits/);
  });
});

describe('splitRunPositionals', () => {
  it('without a default rootfs: a directory first is the rootfs, anything else is one clear error', async () => {
    const { splitRunPositionals } = await withStore(store);
    expect(splitRunPositionals([elsewhere, 'ls', '-l'])).toEqual({ rootfs: elsewhere, command: ['ls', '-l'] });
    expect(() => splitRunPositionals([])).toThrow(`no ROOTFS given and no default rootfs at ${store}/default: build it`);
    expect(() => splitRunPositionals(['ls'])).toThrow(
      `"ls" is neither a directory nor a rootfs in ${store}, and no default rootfs exists at ${store}/default`,
    );
    // A bare word is never a directory of the current one; the error says how to name it.
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      expect(() => splitRunPositionals(['elsewhere'])).toThrow(/first \(the directory "elsewhere" here is given as \.\/elsewhere\)$/);
      expect(splitRunPositionals(['./elsewhere'])).toEqual({ rootfs: './elsewhere', command: [] });
    } finally {
      process.chdir(cwd);
    }
  });

  it('with a default rootfs: names pick a rootfs of the store, other words are the command', async () => {
    mkdirSync(path.join(store, 'default/bin'), { recursive: true });
    writeFileSync(path.join(store, 'default/bin/true'), '');
    writeFileSync(path.join(store, 'default/server'), '');
    mkdirSync(path.join(store, 'alpine'));
    // The real stamp location of @ctr/rootfs, so a move of the stamp cannot leave this lookup behind.
    writeFileSync(stampPath(path.join(store, 'default')), '{}');
    writeFileSync(stampPath(path.join(store, 'alpine')), '{}');
    mkdirSync(path.join(store, 'test')); // not made by ctr (no stamp): not a rootfs name
    const { splitRunPositionals } = await withStore(store);
    const dflt = path.join(store, 'default');
    expect(splitRunPositionals([])).toEqual({ rootfs: dflt, command: [] });
    expect(splitRunPositionals(['/bin/true'])).toEqual({ rootfs: dflt, command: ['/bin/true'] });
    expect(splitRunPositionals(['sh', '-c', 'exit 3'])).toEqual({ rootfs: dflt, command: ['sh', '-c', 'exit 3'] });
    expect(splitRunPositionals(['default', 'ls'])).toEqual({ rootfs: dflt, command: ['ls'] });
    expect(splitRunPositionals(['alpine'])).toEqual({ rootfs: path.join(store, 'alpine'), command: [] });
    expect(splitRunPositionals([elsewhere])).toEqual({ rootfs: elsewhere, command: [] });
    expect(splitRunPositionals(['test', '-f', '/x'])).toEqual({ rootfs: dflt, command: ['test', '-f', '/x'] });
    expect(splitRunPositionals(['./server'])).toEqual({ rootfs: dflt, command: ['./server'] });
    expect(splitRunPositionals(['true'], '/bin')).toEqual({ rootfs: dflt, command: ['true'] });
  });

  it('a path that is neither a rootfs nor a file in the default rootfs is one clear error', async () => {
    const { splitRunPositionals } = await withStore(store);
    const tail = `nor is it a file in the default rootfs ${store}/default to run as a command`;
    expect(() => splitRunPositionals(['/nonexistent/rootfs', 'true'])).toThrow(`rootfs "/nonexistent/rootfs" does not exist, ${tail}`);
    expect(() => splitRunPositionals(['rootfs/defualt'])).toThrow(`rootfs "rootfs/defualt" does not exist, ${tail}`);
    expect(() => splitRunPositionals(['/etc/hostname'])).toThrow(`rootfs "/etc/hostname" is not a directory, ${tail}`);
    expect(() => splitRunPositionals(['./server'], '/bin')).toThrow(`rootfs "./server" does not exist, ${tail}`);
  });
});
