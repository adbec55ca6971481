// pty-reader.ts — reads a container's pty master to its real end, which a plain `tty.ReadStream` does not.
// Node 20's libuv (1.46) ends a tty stream early: when epoll reports POLLHUP (the last slave fd closed) and a
// read returned less than its buffer, it reports end-of-file without reading again (libuv #4992, fixed after
// 1.46 by #4997 and #5165). A pty master breaks that assumption: the slave's last writes can still wait in
// the tty flip buffer for a kworker to move them into the master's line discipline, so one read returns only
// part of them. Measured here: `seq 1 30000` on a pty lost up to 7.5 KB of its tail in 4 of 20 runs, and on
// a loaded machine a three-line script lost its last two lines (ns-native's pty test, 1 full run in ~25).
// So after the stream's end this reads on with read(2) until the kernel answers EIO: with the slave closed,
// n_tty_read flushes the pending buffer work before it decides, and says EIO only when nothing is left.
import { read } from 'node:fs';
import tty from 'node:tty';

const CHUNK = 64 * 1024;

/**
 * Reads a pty master until the container side has closed it and everything it wrote has been read: `onData`
 * gets each chunk in order; the promise resolves then, with the master closed. It rejects on a read error
 * other than EIO (Linux's end-of-file on a master). Writing to the master (input, setWinsize) stays the
 * caller's until then.
 */
export function readPtyMaster(master: number, onData: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: at libuv's early end-of-file the socket must not close the master before the reads below.
    const stream = new tty.ReadStream(master, { allowHalfOpen: true });
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      stream.destroy(); // closes the master
      if (error) reject(error);
      else resolve();
    };
    stream.on('data', onData);
    // EIO from libuv's own read: the kernel had nothing left (see above), so nothing was lost.
    stream.on('error', (err: NodeJS.ErrnoException) => settle(err.code === 'EIO' ? undefined : err));
    stream.on('end', () => {
      drain(master, onData).then(() => settle(), settle);
    });
  });
}

/** read(2) until EIO. On the threadpool: the master is a blocking fd (libuv leaves a tty it cannot reopen so),
 * and a slave reopened inside the container after POLLHUP must block a pool thread, not the event loop. */
async function drain(master: number, onData: (chunk: Buffer) => void): Promise<void> {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    const n = await new Promise<number>((resolve, reject) => {
      read(master, buf, 0, CHUNK, null, (err, bytes) => {
        if (err === null) resolve(bytes);
        else if (err.code === 'EIO') resolve(0);
        else reject(err);
      });
    });
    if (n === 0) return;
    onData(Buffer.from(buf.subarray(0, n)));
  }
}
