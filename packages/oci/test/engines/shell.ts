// shell.ts — the interactive case both engines share: an engine's command line that runs `sh` on a pty in the
// container is typed into a real terminal (tmux); the shell must answer on /dev/pts/0 with the terminal's size,
// follow a resize (SIGWINCH → the engine → TIOCSWINSZ on the container's pty) and hand its exit status back.
import { TmuxSession } from '@ctr/test-utils';

/** The environment the shell gets (`--env`): a prompt the screen can be matched against. */
export const PROMPT_ENV = 'PS1=tty-ok$ ';

/**
 * Drives `command` (ending in `sh` with PROMPT_ENV) in a 100×30 terminal named `name` through the whole
 * interactive case; `cleanup` runs after, whatever happened (the engine's rm of the container).
 */
export async function expectInteractiveShell(name: string, command: string, cleanup: () => Promise<unknown>): Promise<void> {
  const term = new TmuxSession(`${name}-${process.pid}`);
  try {
    term.start(`${command}; echo status-$?; sleep 60`, 100, 30);
    // capture-pane drops the prompt's trailing space; an engine that fails prints its error and status at once
    const first = await term.waitFor(/^tty-ok\$\s*$|^status-\d+\s*$/m, 30_000);
    if (!/^tty-ok\$\s*$/m.test(first)) throw new Error(`the engine ended before the shell's prompt:\n${first.trim()}`);
    // Each step waits for the prompt after its output: keys typed before sh prints its prompt are echoed first,
    // and the prompt then lands in front of what follows (a runc run once showed `tty-ok$ status-3`).
    await term.type('tty', /^\/dev\/pts\/0\s*\ntty-ok\$\s*$/m);
    await term.type('stty size', /^30 100\s*\ntty-ok\$\s*$/m);
    term.resize(120, 40);
    // The engine hands the new size to the container's pty on its own schedule (podman: through conmon), so a
    // `stty size` typed at once can still say 30 100: ask until it says 40 120, numbering each answer so that
    // an earlier one on the screen is never taken for it. A size that never arrives fails after 20 answers.
    for (let answer = 1; ; answer++) {
      const answered = new RegExp(`^size-${answer} \\d+ \\d+\\s*\\ntty-ok\\$\\s*$`, 'm');
      const screen = await term.type(`clear; echo "size-${answer} $(stty size)"`, answered);
      if (new RegExp(`^size-${answer} 40 120\\s*$`, 'm').test(screen)) break;
      if (answer === 20) throw new Error(`the shell never saw the window's new size (40 120):\n${screen.trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await term.type('exit 3', /^status-3\s*$/m, 30_000);
  } finally {
    term.close();
    await cleanup();
  }
}
