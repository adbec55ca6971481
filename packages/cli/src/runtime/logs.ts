// logs.ts — reading what a container's ctr-shim logged: container.log.1 (the rotated part) then container.log,
// one record per line, "TIME STREAM F|P TEXT" (the CRI log format: F ends a line of output, P is part of one
// that continued in the next record). Following survives a rotation: the file that was being read is then
// container.log.1, and its inode tells. See: init/ctr-shim.c.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { containerDir } from './state.js';

export interface LogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  /** the text, with its newline when the record ends a line */
  text: string;
}

export function parseRecords(text: string): LogRecord[] {
  const out: LogRecord[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/s.exec(line);
    if (m) out.push({ time: m[1]!, stream: m[2] as LogRecord['stream'], text: m[4]! + (m[3] === 'F' ? '\n' : '') });
  }
  return out;
}

/** The records that make up the last `lines` lines of output. */
export function tail(records: LogRecord[], lines: number): LogRecord[] {
  let seen = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    if (records[i]!.text.endsWith('\n') && ++seen > lines) return records.slice(i + 1);
  }
  return records;
}

/** Reads the log files from the start; then (follow) hands over new complete records until `stopped()`. */
export class LogReader {
  readonly #dir: string;
  #ino = 0;
  #offset = 0;
  #partial = '';

  constructor(name: string) {
    this.#dir = containerDir(name);
  }

  #readFrom(file: string, offset: number): { text: string; end: number; ino: number } {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return { text: '', end: 0, ino: 0 };
    }
    try {
      const st = fstatSync(fd);
      const chunks: Buffer[] = [];
      let pos = offset;
      for (;;) {
        const buf = Buffer.alloc(65536);
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
        pos += n;
      }
      return { text: Buffer.concat(chunks).toString('utf8'), end: pos, ino: st.ino };
    } finally {
      closeSync(fd);
    }
  }

  /** Everything logged so far. */
  readAll(): LogRecord[] {
    const old = this.#readFrom(path.join(this.#dir, 'container.log.1'), 0).text;
    const cur = this.#readFrom(path.join(this.#dir, 'container.log'), 0);
    this.#ino = cur.ino;
    this.#offset = cur.end;
    return this.#complete(old + cur.text);
  }

  /** What was logged since the last call (after a rotation, the rest of the rotated file first). */
  readNew(): LogRecord[] {
    const current = path.join(this.#dir, 'container.log');
    let ino = 0;
    try {
      ino = statSync(current).ino;
    } catch {
      // not created yet, or the container was removed
    }
    let text = '';
    if (ino !== this.#ino && this.#ino !== 0) {
      text += this.#readFrom(path.join(this.#dir, 'container.log.1'), this.#offset).text;
      this.#offset = 0;
    }
    const cur = this.#readFrom(current, this.#offset);
    this.#ino = ino;
    this.#offset = cur.end || this.#offset;
    return this.#complete(text + cur.text);
  }

  // A record the shim is writing right now may be cut: keep its start for the next read.
  #complete(text: string): LogRecord[] {
    const all = this.#partial + text;
    const cut = all.lastIndexOf('\n') + 1;
    this.#partial = all.slice(cut);
    return parseRecords(all.slice(0, cut));
  }
}
