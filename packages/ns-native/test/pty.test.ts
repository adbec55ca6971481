// pty.test.ts — pty mode: the pty comes from the container's own devpts (so `tty` names /dev/pts/0 inside),
// its master reaches the parent over SCM_RIGHTS (also from inside a user namespace), setWinsize changes what
// `stty size` reports, and readPtyMaster reads all a command wrote even when it exits right after writing.
import { writeSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { readPtyMaster, setWinsize, type SpawnContainerOptions } from '../lib/index.js';
import { commandBecomes, useSandbox } from './helpers.js';

/** Reads the master to its end (readPtyMaster), calling `onData` with the text so far. */
async function readMaster(master: number, onData: (text: string) => void = () => {}): Promise<string> {
  let text = '';
  await readPtyMaster(master, (chunk) => {
    text += chunk.toString('utf8');
    onData(text);
  });
  return text;
}

describe.skipIf(skipUnless('pty mode allocates the terminal inside the container', { root: isRoot }))(
  'spawnContainer with a pty',
  () => {
    const sandbox = useSandbox();
    const tracker = sandbox.tracker;
    let rootfs: string;
    beforeAll(() => {
      rootfs = sandbox.rootfs;
    });

    const ptyOptions = (script: string, init = false): SpawnContainerOptions => ({
      rootfs,
      hostname: 'pty-test',
      argv: ['sh', '-c', script],
      execCandidates: ['/usr/bin/sh'],
      env: ['PATH=/usr/bin', 'TERM=xterm'],
      cwd: '/',
      stdio: { kind: 'pty', rows: 24, cols: 80 },
      init,
    });

    it('hands over the master; the command sees /dev/pts/0 as its controlling terminal', async () => {
      const c = tracker.spawn(ptyOptions('tty; stty size; test -t 0 && test -t 2 && echo tty-stdio'));
      const { ptyMaster } = c.start();
      expect(ptyMaster).toBeGreaterThan(2);
      const output = await readMaster(ptyMaster!);
      // ONLCR: the pty turns \n into \r\n.
      expect(output).toBe('/dev/pts/0\r\n24 80\r\ntty-stdio\r\n');
      expect(await c.wait()).toEqual({ exitCode: 0, signal: null });
    });

    it('reads everything a command wrote right before it exited, round after round', async () => {
      // 30,000 lines fill the master's line discipline (4 KiB) and the flip buffer behind it, so the slave
      // closes while output still waits in the kernel: a bare tty.ReadStream lost the tail in 4 runs of 20.
      const lines = 30_000;
      const expected = Array.from({ length: lines }, (_, i) => `${i + 1}\r\n`).join('').length;
      const lengths: number[] = [];
      for (let round = 0; round < 20; round++) {
        const c = tracker.spawn({ ...ptyOptions(''), argv: ['seq', '1', String(lines)], execCandidates: ['/usr/bin/seq'] });
        const { ptyMaster } = c.start();
        lengths.push((await readMaster(ptyMaster!)).length);
        expect(await c.wait()).toEqual({ exitCode: 0, signal: null });
      }
      expect(lengths).toEqual(Array(20).fill(expected));
    });

    it('works in a user namespace, where the rootfs tree and the master share the control socket', async () => {
      const security = {
        capabilities: [],
        noNewPrivileges: true,
        maskedPaths: [],
        readonlyPaths: [],
        readonlyRootfs: false,
        userns: { hostUid: 100000, hostGid: 100000, size: 65536 },
      };
      const c = tracker.spawn({ ...ptyOptions('tty; id -u; stat -c %g /dev/pts/0'), security });
      const { ptyMaster } = c.start();
      // gid=5 of the devpts mount is the namespace's group 5 (host 100005): the mapping includes it.
      expect(await readMaster(ptyMaster!)).toBe('/dev/pts/0\r\n0\r\n5\r\n');
      expect(await c.wait()).toEqual({ exitCode: 0, signal: null });
    });

    it('setWinsize changes the size the command sees', async () => {
      const c = tracker.spawn(ptyOptions('stty size; read line; stty size'));
      const { ptyMaster } = c.start();
      let resized = false;
      const output = await readMaster(ptyMaster!, (text) => {
        if (!resized && text.includes('24 80\r\n')) {
          resized = true;
          setWinsize(ptyMaster!, 40, 132);
          writeSync(ptyMaster!, 'go\n');
        }
      });
      expect(output).toMatch(/^24 80\r\ngo\r\n40 132\r\n$/);
      expect((await c.wait()).exitCode).toBe(0);
    });

    it('with init, the command owns the foreground process group and ^C reaches it', async () => {
      const script =
        'read -r pid comm state ppid pgrp session tty tpgid rest < /proc/self/stat;' +
        '[ "$pgrp" = "$tpgid" ] && [ "$pid" != 1 ] && echo foreground; exec sleep 30';
      const c = tracker.spawn(ptyOptions(script, true));
      const { ptyMaster } = c.start();
      let interrupted = false;
      const output = await readMaster(ptyMaster!, (text) => {
        if (!interrupted && text.includes('foreground')) {
          interrupted = true;
          // ^C only once sh has become sleep: dash defers a SIGINT that lands before it forks or execs.
          void commandBecomes(c.pid, 'sleep').then(() => writeSync(ptyMaster!, '\x03'));
        }
      });
      expect(output).toContain('foreground\r\n');
      // sleep got SIGINT from the terminal; ctr-init exits with 128 + 2.
      expect(await c.wait()).toEqual({ exitCode: 130, signal: null });
    });
  },
);
