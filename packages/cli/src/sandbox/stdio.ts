// stdio.ts — the container's fds 0-2 for a sandboxed run. The spawn layer takes fds only, so 'pipe' (and a
// stdin given as data or a stream) becomes a pipe(2): its container end goes to the spawn and is closed here
// once the container holds its copy; its other end becomes a net.Socket over the fd, i.e. libuv's pipe
// handle — non-blocking reads and writes in the event loop, not blocking ones in the thread pool (which has 4
// threads: a thousand runs reading through fs streams would starve each other and everything else).
// Both ends are made O_CLOEXEC (ns-native's pipe), so no program this process starts keeps a copy past its
// exec; the container's end in this process is closed as soon as the container has its own. But a container
// cloned by this process holds a copy of every fd until its own start (its clone child closes them at its
// "fds" step): with runs created concurrently, a pipe's EOF can wait for the start of the runs created after
// it. Stdin given as data is therefore not a pipe but an unlinked file holding the data: it has no write end,
// so its EOF never waits for anyone (isolate feeds stdin from a file too).
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipe } from '@ctr/ns-native';
import { invalid } from '../runtime/errors.js';

/** Where a container's output goes: a pipe to this process, this process's own fd, /dev/null, or an fd. */
export type StdioOption = 'pipe' | 'inherit' | 'ignore' | number;
/**
 * The container's stdin: as above, or data written to it (then closed), or a stream piped into it. The three
 * words above are never data: pass Buffer.from('pipe') for that text.
 */
export type StdinOption = StdioOption | string | Uint8Array | Readable;

export interface PreparedStdio {
  /** what the container gets as fds 0, 1, 2 */
  readonly fds: [number, number, number];
  /** this process's end of each pipe */
  readonly stdin: net.Socket | null;
  readonly stdout: net.Socket | null;
  readonly stderr: net.Socket | null;
  /** closes the container's ends in this process; call once the container holds its copies (or never will) */
  closeContainerEnds(): void;
  /** starts piping the stdin stream, closing stdin at its end; errors once the reader is gone are expected */
  feed(): void;
  /** closes this process's end of the stdin pipe (the run is over: nobody reads it any more) */
  closeStdin(): void;
  /** closes everything this process holds (a run that failed before its command started) */
  destroy(): void;
}

function isStream(value: unknown): value is Readable {
  return value instanceof Readable || (typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function');
}

const isFdOption = (value: unknown): value is StdioOption =>
  value === 'pipe' || value === 'inherit' || value === 'ignore' || typeof value === 'number';

/** The data or stream of a stdin option, undefined for an fd option. */
function stdinData(stdin: StdinOption): string | Uint8Array | Readable | undefined {
  return isFdOption(stdin) ? undefined : stdin;
}

function checkFdOption(name: string, value: unknown): void {
  if (value === 'pipe' || value === 'inherit' || value === 'ignore') return;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return;
  throw invalid(`invalid ${name} ${JSON.stringify(value)}: use 'pipe', 'inherit', 'ignore' or an open fd number`);
}

/** An unlinked file holding `data`, open for reading at its start (O_CLOEXEC, as Node opens every file). */
function dataFile(data: string | Uint8Array): number {
  const file = path.join(os.tmpdir(), `ctr-stdin-${process.pid}-${randomUUID()}`);
  const write = openSync(file, 'wx', 0o600);
  let read: number | undefined;
  try {
    read = openSync(file, 'r');
    writeFileSync(write, data);
    return read;
  } catch (err) {
    if (read !== undefined) closeSync(read);
    throw err;
  } finally {
    closeSync(write);
    unlinkSync(file);
  }
}

/** Checks the stdio options; throws before anything is made. */
export function checkStdio(stdin: unknown, stdout: unknown, stderr: unknown): void {
  if (isFdOption(stdin) || !(typeof stdin === 'string' || stdin instanceof Uint8Array || isStream(stdin))) checkFdOption('stdin', stdin);
  checkFdOption('stdout', stdout);
  checkFdOption('stderr', stderr);
}

/** Opens the pipes and files the options ask for (checked by checkStdio). */
export function prepareStdio(stdin: StdinOption, stdout: StdioOption, stderr: StdioOption): PreparedStdio {
  const containerEnds: number[] = [];
  const sockets: net.Socket[] = [];
  const data = stdinData(stdin);
  const prepare = (option: StdioOption, target: 0 | 1 | 2): { fd: number; socket: net.Socket | null } => {
    if (option === 'inherit') return { fd: target, socket: null };
    if (typeof option === 'number') return { fd: option, socket: null };
    if (option === 'ignore') {
      const fd = openSync('/dev/null', target === 0 ? 'r' : 'w');
      containerEnds.push(fd);
      return { fd, socket: null };
    }
    const [read, write] = pipe();
    const [ours, theirs] = target === 0 ? [write, read] : [read, write];
    containerEnds.push(theirs);
    const socket = new net.Socket({ fd: ours, readable: target !== 0, writable: target === 0 });
    sockets.push(socket);
    return { fd: theirs, socket };
  };
  try {
    const bytes = typeof data === 'string' || data instanceof Uint8Array ? data : undefined;
    if (bytes !== undefined) containerEnds.push(dataFile(bytes));
    const input = bytes !== undefined ? { fd: containerEnds[0]!, socket: null } : prepare(data === undefined ? (stdin as StdioOption) : 'pipe', 0);
    const output = prepare(stdout, 1);
    const errors = prepare(stderr, 2);
    // A container that exits (or closes its stdin) before reading all of it makes our writes fail with EPIPE:
    // that is the container's choice, never an error of the run, and must not crash a caller that left
    // stdin alone.
    input.socket?.on('error', () => {});
    const closeContainerEnds = (): void => {
      for (const fd of containerEnds.splice(0)) closeSync(fd);
    };
    return {
      fds: [input.fd, output.fd, errors.fd],
      stdin: data === undefined ? input.socket : null,
      stdout: output.socket,
      stderr: errors.socket,
      closeContainerEnds,
      feed() {
        const socket = input.socket;
        if (!isStream(data) || !socket) return;
        data.pipe(socket);
        // the source stays the caller's: only our end is let go when the container stops reading
        socket.once('error', () => data.unpipe(socket));
      },
      closeStdin: () => input.socket?.destroy(),
      destroy() {
        closeContainerEnds();
        for (const socket of sockets) socket.destroy();
      },
    };
  } catch (err) {
    for (const fd of containerEnds) closeSync(fd);
    for (const socket of sockets) socket.destroy();
    throw err;
  }
}
