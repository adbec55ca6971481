// terminal.test.ts — `ctr run` driven through a real terminal (tmux): the prompt shows the hostname, commands
// answer, `stty size` matches the terminal and follows a resize (SIGWINCH → TIOCSWINSZ), Ctrl-C interrupts a
// `sleep` in the container without ending ctr, `exit 5` makes ctr exit 5, and the host terminal comes back.
// And `ctr run -t` passes on every byte a command wrote to its pty right before it exited.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasTmux, isRoot, skipUnless, TmuxSession } from '@ctr/test-utils';
import { cliPath, ctr, defaultRootfs, expectNothingLeaked } from '../helpers.js';

const term = new TmuxSession(`ctr-tty-${process.pid}`);

describe.skipIf(skipUnless('ctr run through a real terminal', { root: isRoot, tmux: hasTmux, 'rootfs/default': existsSync(defaultRootfs) }))(
  'ctr run: interactive terminal',
  () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-tty-'));
    const statusFile = path.join(dir, 'status');
    const sttyFile = path.join(dir, 'stty');
    expectNothingLeaked();
    afterAll(() => {
      term.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('gives a shell with the hostname in its prompt, the terminal size, Ctrl-C and exit status', async () => {
      const command = `${process.execPath} ${cliPath} run --net none --hostname ttybox ${defaultRootfs}; echo $? > ${statusFile}.tmp; stty -a > ${sttyFile}; mv ${statusFile}.tmp ${statusFile}; sleep 30`;
      term.start(command, 100, 30);
      await term.waitFor(/root@ttybox:\/#\s*$/m);

      expect(await term.type('hostname', /^ttybox$/m)).toMatch(/^ttybox$/m);
      expect(await term.type('ps -e -o pid=,comm= | tr -s " " ; echo done-$((1+1))', /^done-2$/m)).toMatch(/^ ?1 bash$/m);
      await term.type('tty', /^\/dev\/pts\/0$/m);
      await term.type('stty size', /^30 100$/m);

      term.resize(120, 40);
      await term.type('clear; stty size', /^40 120$/m);

      term.keys('clear; sleep 100; echo "after sleep $?"', 'Enter');
      await new Promise((r) => setTimeout(r, 500));
      term.keys('C-c');
      await term.waitFor(/root@ttybox:\/#\s*$/m, 5000);
      expect(term.screen()).not.toMatch(/after sleep/);
      await term.type('echo still-here', /^still-here$/m);

      term.keys('exit 5', 'Enter');
      const deadline = Date.now() + 10_000;
      while (!existsSync(statusFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(statusFile, 'utf8').trim()).toBe('5');
      // ctr put the host terminal back: canonical mode and echo are on again
      const stty = readFileSync(sttyFile, 'utf8');
      expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
      expect(stty).toMatch(/(^|\s)echo(\s|$)/);
    }, 60_000);
  },
);

describe.skipIf(skipUnless('ctr run -t on the default rootfs', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))(
  'ctr run -t: output',
  () => {
    expectNothingLeaked();

    it('prints all a command wrote right before it exited, run after run', async () => {
      // 30,000 lines keep the pty's buffers full when seq exits, the case where a bare tty.ReadStream ended
      // early: ctr lost the tail (2,334 bytes) in 1 run of 10 before it read with readPtyMaster.
      const lines = 30_000;
      const expected = Array.from({ length: lines }, (_, i) => `${i + 1}\r\n`).join('').length;
      const lengths: number[] = [];
      for (let round = 0; round < 30; round++) {
        const { code, stdout } = await ctr(['run', '-t', '--net', 'none', defaultRootfs, 'seq', '1', String(lines)]);
        expect(code).toBe(0);
        lengths.push(stdout.length);
      }
      expect(lengths).toEqual(Array(30).fill(expected));
    }, 120_000);
  },
);
