// import-tarball.ts — turns any rootfs tarball (.tar or .tar.gz: the seed's rootfs.tar.gz, a
// `docker export`) into a ctr rootfs directory, safely (see extract.ts), atomically (see atomic.ts), then
// adds the demo programs. Root is required: a rootfs whose files all belong to the importing user would
// break setuid programs and any service that checks ownership. See tar(5), gzip(1), zlib in Node.
import { open, realpath, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BUILDER_VERSION, buildAtomically } from './atomic.js';
import { DEFAULT_ROOTFS_DIR } from './default-rootfs.js';
import { demoOps } from './demo.js';
import { RootfsError, errnoCode, fsError } from './errors.js';
import { extractEntries, type ExtractSummary } from './extract.js';
import { readTar } from './tar.js';
import { applyOps, hashOps } from './tree-ops.js';

export interface ImportTarballOptions {
  /** The tarball: .tar, or gzip-compressed (detected by content, not by name). */
  file: string;
  /** Output directory; its parent must exist. Default: `<@ctr/rootfs package>/default`. */
  out?: string;
  /** Called with one line per long step (extracting N entries, refused entries, up to date). */
  onProgress?: (message: string) => void;
}

export interface ImportTarballResult extends ExtractSummary {
  path: string;
  /** True when the existing tree was imported from the same tarball and nothing was done. */
  upToDate: boolean;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const OTHER_COMPRESSION: Array<[string, number[]]> = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

async function magicOf(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(6);
    const { bytesRead } = await handle.read(buf, 0, 6, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const startsWith = (buf: Buffer, magic: number[]): boolean => magic.every((byte, i) => buf[i] === byte);

/** The tarball's bytes, gunzipped when it is gzip. */
function tarStream(file: string, gzip: boolean): Readable {
  const raw = createReadStream(file);
  if (!gzip) return raw;
  const gunzip = createGunzip();
  // pipe() does not forward errors; a read error must still end the consumer's iteration.
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/** Gives errors from the tar reader and zlib (Z_DATA_ERROR, Z_BUF_ERROR …) the tarball's path. */
function importError(err: unknown, file: string): RootfsError {
  if (err instanceof RootfsError) return err.path ? err : new RootfsError(err.code, `${file}: ${err.message}`, { path: file, cause: err });
  if (errnoCode(err)?.startsWith('Z_'))
    return new RootfsError('EBADTAR', `cannot decompress ${file}: ${(err as Error).message}`, { path: file, cause: err });
  return fsError(err, `cannot import ${file}`, file);
}

/**
 * Imports a rootfs tarball into `out`, replacing what is there once the import has fully succeeded.
 * Entries that would land outside the tree are refused and counted, device nodes and fifos skipped and
 * counted; the demo programs are added to /usr/local/bin, /server and /threads-cpu.
 * @throws RootfsError `ENOTROOT`, `ENOENT`/`EACCES`/`EISDIR` (tarball), `EBADTAR`, `ENODEMO`,
 *   `ENOTDIR`/`EBUSY` (output); nothing is left behind on failure
 */
export async function importRootfsTarball(options: ImportTarballOptions): Promise<ImportTarballResult> {
  const onProgress = options.onProgress ?? (() => {});
  const file = resolve(options.file);
  if (process.getuid?.() !== 0)
    throw new RootfsError('ENOTROOT', 'importing a rootfs tarball keeps file ownership, which needs root: run it with sudo', { path: file });
  const st = await stat(file).catch((err: unknown) => {
    throw fsError(err, `cannot read tarball ${file}`, file, 'check the path');
  });
  if (!st.isFile()) throw new RootfsError('EISDIR', `${file} is not a file: pass the tarball itself`, { path: file });
  const magic = await magicOf(file).catch((err: unknown) => {
    throw fsError(err, `cannot read tarball ${file}`, file);
  });
  const other = OTHER_COMPRESSION.find(([, bytes]) => startsWith(magic, bytes));
  if (other) throw new RootfsError('EBADTAR', `${file} is ${other[0]}-compressed: decompress it to .tar first`, { path: file });

  const demo = await demoOps();
  const source = { file: await realpath(file), size: st.size, mtimeMs: st.mtimeMs };
  const inputHash = hashOps(demo, `tarball ${BUILDER_VERSION} ${JSON.stringify(source)}`);
  const result = await buildAtomically(options.out ?? DEFAULT_ROOTFS_DIR, inputHash, onProgress, async (dir) => {
    onProgress(`extracting ${file}`);
    let unsafeShown = 0;
    const stream = tarStream(file, startsWith(magic, GZIP_MAGIC));
    const summary = await extractEntries(readTar(stream), dir, onProgress, (path, reason) => {
      // A hostile archive can hold millions of bad entries; the count is in the summary anyway.
      if (unsafeShown++ < 20) onProgress(`refused ${path}: ${reason}`);
    })
      .then(async (extracted) => {
        // The tar reader stops at the end-of-archive blocks, and zlib checks the gzip trailer (CRC-32 and
        // length) only once it is given the rest and the end: a tarball cut inside its trailer imported.
        // Reading on to the end makes that a Z_BUF_ERROR ("unexpected end of file"), a bad CRC a Z_DATA_ERROR.
        for await (const rest of stream) void rest;
        return extracted;
      })
      .catch((err: unknown) => {
        throw importError(err, file);
      });
    if (summary.entries === 0) throw new RootfsError('EBADTAR', `${file} holds no tar entries: is it a rootfs tarball?`, { path: file });
    const { devices, fifos, unsafe, unsupported } = summary.skipped;
    onProgress(
      `extracted ${summary.entries} entries; skipped ${devices} device nodes, ${fifos} fifos, ${unsafe} unsafe, ${unsupported} unsupported`,
    );
    await applyOps(dir, demo, onProgress);
    return summary;
  });
  return { path: result.path, upToDate: result.upToDate, ...result.summary };
}
