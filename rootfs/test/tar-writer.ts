// tar-writer.ts — test helper: writes ustar archives by hand, including entries no sane tar(1) would
// create (../ paths, links out of the tree, absurd pax records), so the importer can be attacked with exactly
// those.
export interface RawEntry {
  name: string;
  /** 'x': a pax header for the next entry, 'L': a GNU long name for it (the body is the record). */
  type?: '0' | '1' | '2' | '3' | '5' | '6' | 'x' | 'L';
  body?: string;
  linkname?: string;
  mode?: number;
}

function field(buf: Buffer, at: number, length: number, value: string): void {
  buf.write(value, at, length, 'utf8');
}

const octal = (value: number, width: number): string => value.toString(8).padStart(width - 1, '0');

/** One pax record, "LENGTH key=value\n", where LENGTH counts the whole record including itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

/** One 512-byte ustar header with a correct checksum. */
export function header(entry: RawEntry): Buffer {
  const buf = Buffer.alloc(512);
  const type = entry.type ?? '0';
  field(buf, 0, 100, entry.name);
  field(buf, 100, 8, octal(entry.mode ?? (type === '5' ? 0o755 : 0o644), 8));
  field(buf, 108, 8, octal(0, 8));
  field(buf, 116, 8, octal(0, 8));
  field(buf, 124, 12, octal(Buffer.byteLength(entry.body ?? ''), 12));
  field(buf, 136, 12, octal(1_700_000_000, 12));
  buf.fill(0x20, 148, 156);
  buf.write(type, 156, 'latin1');
  field(buf, 157, 100, entry.linkname ?? '');
  buf.write('ustar\0' + '00', 257, 'latin1');
  if (type === '3') {
    field(buf, 329, 8, octal(1, 8));
    field(buf, 337, 8, octal(3, 8));
  }
  let sum = 0;
  for (const byte of buf) sum += byte;
  field(buf, 148, 8, octal(sum, 7) + '\0');
  return buf;
}

/** A whole archive: headers, bodies padded to 512 bytes, and the two zero blocks that end it. */
export function archive(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry));
    const body = Buffer.from(entry.body ?? '');
    parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
