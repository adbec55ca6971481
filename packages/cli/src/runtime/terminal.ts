// terminal.ts — connects ctr's own stdio to the container's pseudo-terminal master.
// The host terminal runs raw so every key (Ctrl-C included) reaches the container's line discipline, as with
// `docker run -it`; it is restored on every exit path. Writes retry EAGAIN instead of dropping bytes
// (node-pty's CustomWriteStream does the same). The output is read by @ctr/ns-native's readPtyMaster, to the
// last byte the container wrote: a bare tty.ReadStream can end before it (see pty-reader.ts there).
// See: pty(7), termios(3).
import { writeSync } from 'node:fs';
import { readPtyMaster, setWinsize } from '@ctr/ns-native';

export interface PtySession {
  /** resolves when the container side closed the terminal and all output was written */
  closed: Promise<void>;
  /** puts ctr's terminal back the way it was; safe to call more than once */
  restore(): void;
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EIO' || code === 'EBADF') return; // the container side is gone
      throw err;
    }
  }
}

export function attachPty(master: number, forwardStdin: boolean): PtySession {
  const stdin = process.stdin;
  const out = process.stdout;
  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  let restored = false;
  const onResize = (): void => {
    if (out.columns && out.rows) setWinsize(master, out.rows, out.columns);
  };
  const onInput = (chunk: Buffer): void => writeAll(master, chunk);

  const restore = (): void => {
    if (restored) return;
    restored = true;
    out.off('resize', onResize);
    stdin.off('data', onInput);
    if (stdin.isTTY) stdin.setRawMode(wasRaw);
    stdin.pause();
    process.off('exit', restore);
  };
  process.on('exit', restore);

  if (out.isTTY) {
    out.on('resize', onResize);
    onResize();
  }
  if (forwardStdin) {
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.resume();
  }

  const closed = readPtyMaster(master, (chunk) => out.write(chunk))
    .catch((err: Error) => {
      process.stderr.write(`ctr: terminal: ${err.message}\n`);
    })
    // readPtyMaster closed the master; let stdout drain before reporting the end.
    .then(() => (out.writableNeedDrain ? new Promise<void>((resolve) => out.once('drain', () => resolve())) : undefined));
  return { closed, restore };
}

/** The initial size of ctr's terminal, or a sane default when stdout is not one. */
export function terminalSize(): { rows: number; cols: number } {
  const out = process.stdout;
  return out.isTTY && out.rows && out.columns ? { rows: out.rows, cols: out.columns } : { rows: 24, cols: 80 };
}
