// terminal.ts — a real terminal for interactive tests: a detached tmux session runs a host command line in a
// pty of the given size; the test reads the screen, types keys and resizes the window, as a user would.
import { execFileSync } from 'node:child_process';

/** Whether tmux (the real terminal interactive tests drive their program through) is installed. */
export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });

export class TmuxSession {
  /** @param name the session's name, unique on the host (e.g. with the test process's pid) */
  constructor(readonly name: string) {}

  /** Opens the session: `command` runs in a `cols`×`rows` terminal; the session ends when it exits. */
  start(command: string, cols: number, rows: number): void {
    tmux('new-session', '-d', '-s', this.name, '-x', String(cols), '-y', String(rows), command);
  }

  /** The visible screen, one line per row. */
  screen(): string {
    return tmux('capture-pane', '-p', '-t', this.name);
  }

  /** Polls the screen until it matches `what`; throws with the last screen after `timeoutMs`. */
  async waitFor(what: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.screen();
      if (what.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`screen of ${this.name} never showed ${what}:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends keys as tmux names them (`C-c`, `Enter`, or literal text). */
  keys(...keys: string[]): void {
    tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Types a line and waits until `answer` appears on the screen after it. */
  async type(line: string, answer: RegExp, timeoutMs?: number): Promise<string> {
    this.keys(line, 'Enter');
    return this.waitFor(answer, timeoutMs);
  }

  /** Resizes the window: the program in it gets SIGWINCH and the new size. */
  resize(cols: number, rows: number): void {
    tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows));
  }

  /** Ends the session if it is still open (its command exits with the terminal). */
  close(): void {
    try {
      tmux('kill-session', '-t', this.name);
    } catch {
      // already gone: the command exited and the session with it
    }
  }
}
