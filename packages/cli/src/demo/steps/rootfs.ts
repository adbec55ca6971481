// rootfs.ts — step 2: the directory given is the container's `/`. A bind mount keeps the device and inode
// of the directory, so `stat /` inside must match stat(ROOTFS) on the host. Then the classic chroot escape
// (chroot into a subdirectory, climb "..", chroot ".") is tried inside against a file that exists only on
// the host: after pivot_root and detaching the old root there is nothing above `/` to climb to.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finished, lines } from '../box.js';
import type { Step } from '../types.js';

export const rootfs: Step = {
  id: 'rootfs',
  title: 'Root filesystem',
  claim: 'the given directory is the container\'s /, and a host file outside it is unreachable even by a chroot escape',
  async run(ctx) {
    const marker = path.join(ctx.scratch, 'host-only-file');
    writeFileSync(marker, 'only on the host\n');
    const script = `stat -c '%d:%i' /; chroot-escape ${marker}; echo "chroot-escape exit $?"`;
    const { result, output } = await finished(ctx.start({ command: ['/bin/sh', '-c', script], net: 'none' }));
    const printed = lines(output);
    const st = statSync(ctx.rootfs);
    const hostId = `${st.dev}:${st.ino}`;
    const insideId = /^\d+:\d+$/m.exec(output)?.[0] ?? '(no stat output)';
    const escape = printed.find((l) => /^(contained|escaped|chroot-escape:)/.test(l)) ?? '(no output)';
    const escapeExit = Number(/chroot-escape exit (\d+)/.exec(output)?.[1] ?? -1);
    const why: string[] = [];
    if (insideId !== hostId) why.push(`/ inside is ${insideId} (device:inode), not ${ctx.rootfs} (${hostId})`);
    if (escapeExit !== 1) why.push(`the chroot escape was not contained (exit ${escapeExit}: ${escape})`);
    if (result.exitCode !== 0) why.push(`the shell exited with ${result.exitCode}`);
    return {
      ok: why.length === 0,
      evidence: [
        { label: '/ (device:inode)', host: `${ctx.rootfs} is ${hostId}`, container: `/ is ${insideId}` },
        { label: marker, host: 'readable', container: escape },
      ],
      transcript: printed,
      why,
    };
  },
};
