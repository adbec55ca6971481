// terminal.test.ts — `ctr run` driven through a real terminal (tmux): the prompt shows the hostname, commands
// answer, `stty size` matches the terminal and follows a resize (SIGWINCH → TIOCSWINSZ), Ctrl-C interrupts a
// `sleep` in the container without ending ctr, `exit 5` makes ctr exit 5, and the host terminal comes back.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { cliPath, defaultRootfs, expectNothingLeaked, hasTmux } from '../helpers.js';


const session = `ctr-tty-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = (): string => tmux('capture-pane', '-p', '-t', session);

async function waitFor(what: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (what.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`screen never showed ${what}:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Types a line and waits until `answer` appears on the screen after it. */
async function type(line: string, answer: RegExp): Promise<string> {
  tmux('send-keys', '-t', session, line, 'Enter');
  return waitFor(answer);
}

describe.skipIf(skipUnless('ctr run through a real terminal', { root: isRoot, tmux: hasTmux, 'rootfs/default': existsSync(defaultRootfs) }))(
  'ctr run: interactive terminal',
  () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-tty-'));
    const statusFile = path.join(dir, 'status');
    const sttyFile = path.join(dir, 'stty');
    expectNothingLeaked();
    afterAll(() => {
      try {
        tmux('kill-session', '-t', session);
      } catch {
        // already gone: ctr exited and the session with it
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('gives a shell with the hostname in its prompt, the terminal size, Ctrl-C and exit status', async () => {
      const command = `${process.execPath} ${cliPath} run --net none --hostname ttybox ${defaultRootfs}; echo $? > ${statusFile}.tmp; stty -a > ${sttyFile}; mv ${statusFile}.tmp ${statusFile}; sleep 30`;
      tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', command);
      await waitFor(/root@ttybox:\/#\s*$/m);

      expect(await type('hostname', /^ttybox$/m)).toMatch(/^ttybox$/m);
      expect(await type('ps -e -o pid=,comm= | tr -s " " ; echo done-$((1+1))', /^done-2$/m)).toMatch(/^ ?1 bash$/m);
      await type('tty', /^\/dev\/pts\/0$/m);
      await type('stty size', /^30 100$/m);

      tmux('resize-window', '-t', session, '-x', '120', '-y', '40');
      await type('clear; stty size', /^40 120$/m);

      tmux('send-keys', '-t', session, 'clear; sleep 100; echo "after sleep $?"', 'Enter');
      await new Promise((r) => setTimeout(r, 500));
      tmux('send-keys', '-t', session, 'C-c');
      await waitFor(/root@ttybox:\/#\s*$/m, 5000);
      expect(screen()).not.toMatch(/after sleep/);
      await type('echo still-here', /^still-here$/m);

      tmux('send-keys', '-t', session, 'exit 5', 'Enter');
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
