// elf.ts — reads what the dynamic loader needs from an ELF file: PT_INTERP, and from PT_DYNAMIC the
// DT_NEEDED, DT_RPATH, DT_RUNPATH and DT_SONAME entries. Only headers, the dynamic segment and its string
// table are read, so a rebuild check over dozens of libraries stays cheap.
// See elf(5), ld.so(8); both ELF classes and byte orders are handled.
import { open, type FileHandle } from 'node:fs/promises';
import { RootfsError, fsError } from './errors.js';

export interface ElfInfo {
  /** 32 or 64 (EI_CLASS); the loader only links objects of its own class and machine. */
  bits: 32 | 64;
  /** e_machine, e.g. 62 for x86-64. */
  machine: number;
  /** PT_INTERP: the program loader, for executables that have one. */
  interpreter: string | undefined;
  /** DT_NEEDED, in order. */
  needed: string[];
  /** DT_RPATH, split on ':'; the loader ignores it when DT_RUNPATH is present. */
  rpath: string[];
  /** DT_RUNPATH, split on ':'. */
  runpath: string[];
  soname: string | undefined;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_STRSZ = 10n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

/** Integer reads for one ELF class and byte order. */
class Layout {
  constructor(
    readonly bits: 32 | 64,
    private readonly little: boolean,
  ) {}
  u16(buf: Buffer, at: number): number {
    return this.little ? buf.readUInt16LE(at) : buf.readUInt16BE(at);
  }
  u32(buf: Buffer, at: number): number {
    return this.little ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
  }
  /** An address or offset: 4 bytes in ELF32, 8 in ELF64. */
  word(buf: Buffer, at: number): bigint {
    if (this.bits === 32) return BigInt(this.u32(buf, at));
    return this.little ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at);
  }
  get wordSize(): number {
    return this.bits / 8;
  }
}

async function readAt(file: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await file.read(buf, 0, length, offset);
  if (bytesRead !== length) throw new Error(`truncated at offset ${offset}`);
  return buf;
}

function segments(layout: Layout, table: Buffer, count: number, entsize: number): Segment[] {
  const list: Segment[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * entsize;
    // Elf32_Phdr and Elf64_Phdr order their fields differently (p_flags moves up in ELF64).
    const [offset, vaddr, filesz] =
      layout.bits === 64
        ? [layout.word(table, at + 8), layout.word(table, at + 16), layout.word(table, at + 32)]
        : [layout.word(table, at + 4), layout.word(table, at + 8), layout.word(table, at + 16)];
    list.push({ type: layout.u32(table, at), offset: Number(offset), vaddr: Number(vaddr), filesz: Number(filesz) });
  }
  return list;
}

/** DT_STRTAB holds a virtual address; the PT_LOAD segment that maps it gives its file offset. */
function fileOffsetOf(loads: Segment[], vaddr: number): number {
  const load = loads.find((seg) => vaddr >= seg.vaddr && vaddr < seg.vaddr + seg.filesz);
  if (!load) throw new Error(`address 0x${vaddr.toString(16)} is in no PT_LOAD segment`);
  return vaddr - load.vaddr + load.offset;
}

const cString = (buf: Buffer, at: number): string => {
  const end = buf.indexOf(0, at);
  return buf.toString('utf8', at, end < 0 ? buf.length : end);
};

async function parseOpen(file: FileHandle): Promise<ElfInfo | null> {
  const ident = Buffer.alloc(64);
  const { bytesRead } = await file.read(ident, 0, 64, 0);
  if (bytesRead < 52 || ident.readUInt32BE(0) !== 0x7f454c46) return null;
  const elfClass = ident[4];
  const data = ident[5];
  if ((elfClass !== 1 && elfClass !== 2) || (data !== 1 && data !== 2)) throw new Error('bad EI_CLASS or EI_DATA');
  const layout = new Layout(elfClass === 2 ? 64 : 32, data === 1);
  const machine = layout.u16(ident, 18);
  const phoff = Number(layout.word(ident, layout.bits === 64 ? 32 : 28));
  const phentsize = layout.u16(ident, layout.bits === 64 ? 54 : 42);
  const phnum = layout.u16(ident, layout.bits === 64 ? 56 : 44);
  const segs = segments(layout, await readAt(file, phoff, phentsize * phnum), phnum, phentsize);

  const info: ElfInfo = { bits: layout.bits, machine, interpreter: undefined, needed: [], rpath: [], runpath: [], soname: undefined };
  const interp = segs.find((seg) => seg.type === PT_INTERP);
  if (interp) info.interpreter = cString(await readAt(file, interp.offset, interp.filesz), 0);
  const dynamic = segs.find((seg) => seg.type === PT_DYNAMIC);
  if (!dynamic) return info;

  const dyn = await readAt(file, dynamic.offset, dynamic.filesz);
  const entry = layout.wordSize * 2;
  const strings: Array<[bigint, number]> = [];
  let strtab = -1;
  let strsz = 0;
  for (let at = 0; at + entry <= dyn.length; at += entry) {
    const tag = layout.word(dyn, at);
    const value = layout.word(dyn, at + layout.wordSize);
    if (tag === DT_NULL) break;
    if (tag === DT_STRTAB) strtab = Number(value);
    else if (tag === DT_STRSZ) strsz = Number(value);
    else if (tag === DT_NEEDED || tag === DT_RPATH || tag === DT_RUNPATH || tag === DT_SONAME) strings.push([tag, Number(value)]);
  }
  if (strings.length === 0) return info;
  if (strtab < 0 || strsz === 0) throw new Error('PT_DYNAMIC without DT_STRTAB/DT_STRSZ');
  const table = await readAt(file, fileOffsetOf(segs.filter((seg) => seg.type === PT_LOAD), strtab), strsz);
  for (const [tag, offset] of strings) {
    const text = cString(table, offset);
    if (tag === DT_NEEDED) info.needed.push(text);
    else if (tag === DT_SONAME) info.soname = text;
    else (tag === DT_RPATH ? info.rpath : info.runpath).push(...text.split(':').filter(Boolean));
  }
  return info;
}

/**
 * Parses the loader-relevant parts of an ELF file.
 * @returns null when the file is not ELF (a script, a text file)
 * @throws RootfsError `EBADELF` for a damaged ELF file, `ENOENT`/`EACCES`/`EIO` when it cannot be read
 */
export async function readElf(path: string): Promise<ElfInfo | null> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw fsError(err, `cannot read ${path}`, path);
  }
  try {
    return await parseOpen(file);
  } catch (err) {
    throw new RootfsError('EBADELF', `${path} is not a valid ELF file: ${(err as Error).message}`, { path, cause: err });
  } finally {
    await file.close();
  }
}
