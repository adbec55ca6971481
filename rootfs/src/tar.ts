// tar.ts — a streaming reader for tar archives: POSIX ustar (with the 155-byte prefix), GNU long names
// and long link names ('L'/'K'), GNU base-256 numbers, and pax extended headers ('x' per entry, 'g'
// global) for path, linkpath, size, uid, gid and mtime. Headers are checksum-verified; entry bodies are
// streamed, never held whole in memory. See tar(5), pax(1) "pax Extended Header".
import { RootfsError } from './errors.js';

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'unsupported';

export interface TarEntry {
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid, setgid and sticky (mode & 07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  size: number;
  /** Symlink target, or the archive path a hard link points to. */
  linkpath: string;
  /** The entry's body in pieces; must be consumed (or ignored) before the next entry is requested. */
  body: AsyncIterable<Buffer>;
}

const BLOCK = 512;
/** Largest pax or GNU long-name record accepted: real ones are a few hundred bytes, and each is held whole. */
export const MAX_METADATA_RECORD = 1 << 20;
const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a plain file everywhere but on one 1980s system
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

const bad = (message: string): RootfsError => new RootfsError('EBADTAR', `not a valid tar archive: ${message}`);

/** Pulls exact byte counts out of an async stream of chunks. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    return true;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  /** Exactly n bytes, or null at a clean end of stream; a partial read is a truncated archive. */
  async read(n: number): Promise<Buffer | null> {
    while (this.buffered < n) if (!(await this.pull())) break;
    if (this.buffered === 0) return null;
    if (this.buffered < n) throw bad('truncated archive');
    return this.take(n);
  }

  /** Yields exactly n bytes in the pieces they arrive in. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.pull())) throw bad('truncated archive');
      const piece = this.take(Math.min(left, this.buffered));
      left -= piece.length;
      yield piece;
    }
  }
}

const text = (field: Buffer): string => {
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? field.length : end);
};

/** Parses an octal field, or a GNU base-256 one (high bit of the first byte set). */
export function parseNumeric(field: Buffer, name: string): number {
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw bad(`negative ${name}`);
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw bad(`${name} too large`);
    return value;
  }
  const digits = text(field).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw bad(`${name} is not octal: ${JSON.stringify(digits)}`);
  return parseInt(digits, 8);
}

/** Parses pax records, "LENGTH key=value\n", where LENGTH counts the whole record. */
export function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(data.toString('ascii', at, space));
    if (!Number.isInteger(length) || length <= 0 || at + length > data.length) throw bad('malformed pax header');
    const record = data.toString('utf8', space + 1, at + length - 1);
    const equals = record.indexOf('=');
    if (equals < 0) throw bad('malformed pax record');
    records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}

function verifyChecksum(header: Buffer): void {
  const stored = parseNumeric(header.subarray(148, 156), 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    // The checksum field itself counts as eight spaces.
    const byte = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some historic tars summed signed chars; accepting either is what GNU tar does.
  if (stored !== unsigned && stored !== signed) throw bad('header checksum mismatch');
}

const paddingOf = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

async function collect(reader: ByteReader, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of reader.stream(size)) parts.push(piece);
  await reader.read(paddingOf(size));
  return Buffer.concat(parts);
}

/** A pax number; `whole` for sizes and ids (a fractional size would make the body's length unreadable). */
const numberOr = (key: string, value: string | undefined, fallback: number, whole = true): number => {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!(whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(value) || !Number.isSafeInteger(Math.floor(parsed)))
    throw bad(`pax ${key} ${JSON.stringify(value)} is not a ${whole ? 'whole ' : ''}non-negative number`);
  return parsed;
};

const metadataKinds: Record<string, string> = { L: 'GNU long name', K: 'GNU long link name', x: 'pax header', g: 'pax global header' };

/**
 * Reads tar entries from a stream of (already decompressed) bytes.
 * @throws RootfsError `EBADTAR` on a bad checksum, malformed header or truncated archive
 */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let global: Record<string, string> = {};
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const header = await reader.read(BLOCK);
    // Two zero blocks end the archive; a missing end marker is tolerated like GNU tar does.
    if (header === null || header.every((byte) => byte === 0)) return;
    verifyChecksum(header);
    const flag = String.fromCharCode(header[156]!);
    const size = parseNumeric(header.subarray(124, 136), 'size');
    const metadata = metadataKinds[flag];
    if (metadata !== undefined) {
      if (size > MAX_METADATA_RECORD)
        throw bad(`${metadata} record of ${size} bytes is larger than the ${MAX_METADATA_RECORD / 2 ** 20} MiB limit`);
      const data = await collect(reader, size);
      if (flag === 'L') longName = text(data);
      else if (flag === 'K') longLink = text(data);
      else if (flag === 'x') pax = parsePax(data);
      else global = { ...global, ...parsePax(data) };
      continue;
    }
    const ext = { ...global, ...pax };
    // Only POSIX ustar ("ustar\0") has the prefix field; GNU tar ("ustar  ") keeps other data there.
    const prefix = header.toString('latin1', 257, 263) === 'ustar\0' ? text(header.subarray(345, 500)) : '';
    const name = text(header.subarray(0, 100));
    const path = ext.path ?? longName ?? (prefix ? `${prefix}/${name}` : name);
    let type = TYPES[flag] ?? 'unsupported';
    // Pre-POSIX archives mark directories only by the trailing slash.
    if (type === 'file' && path.endsWith('/')) type = 'directory';
    // ustar says links, directories and special files carry no data; pax lets a hard link carry some.
    const dataSize = type === 'file' || type === 'unsupported' || type === 'hardlink' ? numberOr('size', ext.size, size) : 0;
    const data = reader.stream(dataSize);
    yield {
      path,
      type,
      mode: parseNumeric(header.subarray(100, 108), 'mode') & 0o7777,
      uid: numberOr('uid', ext.uid, parseNumeric(header.subarray(108, 116), 'uid')),
      gid: numberOr('gid', ext.gid, parseNumeric(header.subarray(116, 124), 'gid')),
      // pax times carry a fraction (e.g. 1700000000.123456789); whole seconds are what utimes gets here.
      mtime: Math.floor(numberOr('mtime', ext.mtime, parseNumeric(header.subarray(136, 148), 'mtime'), false)),
      size: type === 'file' ? dataSize : 0,
      linkpath: ext.linkpath ?? longLink ?? text(header.subarray(157, 257)),
      // No return(): a consumer that stops early must not close the stream the skip below still needs.
      body: { [Symbol.asyncIterator]: () => ({ next: () => data.next() }) },
    };
    pax = {};
    longName = undefined;
    longLink = undefined;
    // Skip whatever the consumer left unread, then the padding up to the next block.
    while (!(await data.next()).done);
    await reader.read(paddingOf(dataSize));
  }
}
