// rootfs.ts — step 2: the directory given is what the container sees as `/`: the read-only lower layer of an
// overlay (writes go to the container's own layer). On one filesystem overlayfs reports the lower inode
// numbers, so `stat /etc` inside must show the inode of ROOTFS/etc on the host. Then the classic chroot escape
// (chroot into a subdirectory, climb "..", chroot ".") is tried inside against a file that exists only on
// the host: after pivot_root and detaching the old root there is nothing above `/` to climb to.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finished, lines } from '../box.js';
import type { Step } from '../types.js';

export const rootfs: Step = {
  id: 'rootfs',
  title: 'Root filesystem',
  claim: 'the given directory is what the container sees as /, and a host file outside it is unreachable even by a chroot escape',
  async run(ctx) {
    const marker = path.join(ctx.scratch, 'host-only-file');
    writeFileSync(marker, 'only on the host\n');
    const script = `stat -c 'inode %i' /etc; awk '$5 == "/" { print "fs " $9 }' /proc/self/mountinfo; chroot-escape ${marker}; echo "chroot-escape exit $?"`;
    const { result, output } = await finished(ctx.start({ command: ['/bin/sh', '-c', script], net: 'none' }));
    const printed = lines(output);
    const hostId = String(statSync(path.join(ctx.rootfs, 'etc')).ino);
    const insideId = /^inode (\d+)$/m.exec(output)?.[1] ?? '(no stat output)';
    const fs = /^fs (\S+)$/m.exec(output)?.[1] ?? '(unknown)';
    const escape = printed.find((l) => /^(contained|escaped|chroot-escape:)/.test(l)) ?? '(no output)';
    const escapeExit = Number(/chroot-escape exit (\d+)/.exec(output)?.[1] ?? -1);
    const why: string[] = [];
    if (insideId !== hostId) why.push(`/etc inside is inode ${insideId}, not ${ctx.rootfs}/etc (inode ${hostId})`);
    if (escapeExit !== 1) why.push(`the chroot escape was not contained (exit ${escapeExit}: ${escape})`);
    if (result.exitCode !== 0) why.push(`the shell exited with ${result.exitCode}`);
    return {
      ok: why.length === 0,
      evidence: [
        { label: '/etc (inode)', host: `${ctx.rootfs}/etc is ${hostId}`, container: `/etc is ${insideId}, / is ${fs}` },
        { label: marker, host: 'readable', container: escape },
      ],
      transcript: printed,
      why,
    };
  },
};
