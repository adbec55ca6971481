// chroot-escape.test.ts — the escape really works from a plain chroot (so the program is a valid probe)
// and really fails from a pivot_root'ed mount namespace (the way ctr enters its rootfs).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnless, isRoot } from '@ctr/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { programPath, run } from './run.js';

describe.skipIf(skipUnless('chroot-escape tells a chroot from a pivot_root', { root: isRoot }))('chroot-escape', () => {
  let scratch = '';
  let marker = '';
  let tree = '';
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'ctr-escape-'));
    marker = join(scratch, 'host-only-marker');
    writeFileSync(marker, 'host\n');
    // A root filesystem holding only the static probe and the /tmp it needs.
    tree = join(scratch, 'tree');
    mkdirSync(join(tree, 'tmp'), { recursive: true });
    mkdirSync(join(tree, 'old'));
    copyFileSync(programPath('chroot-escape'), join(tree, 'chroot-escape'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('escapes a plain chroot and reads a host-only file', async () => {
    const result = await run('/usr/sbin/chroot', [tree, '/chroot-escape', marker]);
    expect(result).toMatchObject({ code: 0, stdout: `escaped: ${marker} readable\n` });
  });

  it('stays contained after pivot_root in a new mount namespace', async () => {
    // unshare(1) makes the new namespace's mounts private, so the bind mount dies with the namespace.
    const script = 'mount --bind "$0" "$0" && cd "$0" && pivot_root . old && exec /chroot-escape "$1"';
    const result = await run('/usr/bin/unshare', ['--mount', '/bin/sh', '-c', script, tree, marker]);
    expect(result).toMatchObject({ code: 1, stdout: `contained: ${marker} not reachable (ENOENT)\n` });
  });
});
