// extract.ts — writes tar entries into a directory without letting any of them land outside it.
// Paths are re-rooted and ".." refused (safe-path), files are created with O_EXCL|O_NOFOLLOW, no write
// goes through a symlink an earlier entry planted, and hard links may only point at files already
// inside the tree. Device nodes and fifos are skipped and counted: a container gets its /dev from the
// runtime, and mknod in an image tree is a privilege the import should not need.
// Ownership and modes are kept (chown before chmod: chown(2) clears setuid/setgid bits). Directories are
// created 0700 and get their modes only once every entry is written, so no directory of the half-built
// tree is world-writable (an archive's 1777 /tmp, say) while later entries are still being placed.
// See open(2) O_NOFOLLOW, link(2), lchown(2), tar(5).
import { chmod, chown, lchown, link, lstat, lutimes, mkdir, open, symlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { clearPath, ensureParents, treeComponents } from './safe-path.js';
import type { TarEntry } from './tar.js';

export interface ExtractSummary {
  /** Entries read from the archive, including skipped ones. */
  entries: number;
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  skipped: {
    /** Character and block device nodes. */
    devices: number;
    fifos: number;
    /** Entries refused for their path: "..", through a symlink, a hard link leaving the tree. */
    unsafe: number;
    /** Entry types this reader does not write (sparse files, volume labels …). */
    unsupported: number;
  };
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Writes one regular file's body; chown first because it would clear the setuid bit chmod sets. */
async function writeFileEntry(target: string, entry: TarEntry): Promise<void> {
  const file = await open(target, CREATE_FLAGS, 0o600);
  try {
    for await (const piece of entry.body) {
      let at = 0;
      while (at < piece.length) at += (await file.write(piece, at, piece.length - at)).bytesWritten;
    }
    await file.chown(entry.uid, entry.gid);
    await file.chmod(entry.mode);
    await file.utimes(entry.mtime, entry.mtime);
  } finally {
    await file.close();
  }
}

/**
 * Extracts a stream of tar entries into `root` (an existing, private directory).
 * @param onUnsafe called with the archive path and the reason for every refused entry
 */
export async function extractEntries(
  entries: AsyncIterable<TarEntry>,
  root: string,
  onProgress: (message: string) => void,
  onUnsafe: (path: string, reason: string) => void,
): Promise<ExtractSummary> {
  const summary: ExtractSummary = {
    entries: 0,
    files: 0,
    directories: 0,
    symlinks: 0,
    hardlinks: 0,
    skipped: { devices: 0, fifos: 0, unsafe: 0, unsupported: 0 },
  };
  const refuse = (path: string, reason: string): void => {
    summary.skipped.unsafe++;
    onUnsafe(path, reason);
  };
  // Directory → its final mode, applied after the last entry (a later entry for the same path wins).
  const directoryModes = new Map<string, number>();

  for await (const entry of entries) {
    summary.entries++;
    if (summary.entries % 1000 === 0) onProgress(`extracted ${summary.entries} entries`);
    if (entry.type === 'char' || entry.type === 'block') {
      summary.skipped.devices++;
      continue;
    }
    if (entry.type === 'fifo') {
      summary.skipped.fifos++;
      continue;
    }
    if (entry.type === 'unsupported') {
      summary.skipped.unsupported++;
      continue;
    }
    const parts = treeComponents(entry.path);
    if (parts === null) {
      refuse(entry.path, 'path contains ..');
      continue;
    }
    if (parts.length === 0) {
      // "./" is the archive's root directory: it only carries the root's mode and owner.
      if (entry.type === 'directory') {
        await chown(root, entry.uid, entry.gid);
        directoryModes.set(root, entry.mode);
      }
      continue;
    }
    const problem = await ensureParents(root, parts.slice(0, -1));
    if (problem) {
      refuse(entry.path, problem);
      continue;
    }
    const target = join(root, ...parts);

    if (entry.type === 'hardlink') {
      const linkParts = treeComponents(entry.linkpath);
      if (linkParts === null || linkParts.length === 0) {
        refuse(entry.path, `hard link target ${entry.linkpath} leaves the tree`);
        continue;
      }
      const source = join(root, ...linkParts);
      const linkProblem = await ensureParents(root, linkParts.slice(0, -1), false);
      const sourceStat = linkProblem ? undefined : await lstat(source).catch(() => undefined);
      if (!sourceStat || sourceStat.isDirectory() || source === target) {
        refuse(entry.path, `hard link target ${entry.linkpath} is not a file inside the tree`);
        continue;
      }
      await clearPath(target, false);
      await link(source, target);
      summary.hardlinks++;
      continue;
    }

    const existing = await clearPath(target, entry.type === 'directory');
    if (entry.type === 'directory') {
      if (existing !== 'directory') await mkdir(target, 0o700);
      await chown(target, entry.uid, entry.gid);
      directoryModes.set(target, entry.mode);
      summary.directories++;
    } else if (entry.type === 'symlink') {
      // Kept as written, absolute or not: it is resolved inside the container's root, never by us.
      await symlink(entry.linkpath, target);
      await lchown(target, entry.uid, entry.gid);
      await lutimes(target, entry.mtime, entry.mtime);
      summary.symlinks++;
    } else {
      await writeFileEntry(target, entry);
      summary.files++;
    }
  }
  // A path that stopped being a directory (a later entry replaced it) keeps what that entry gave it.
  for (const [dir, mode] of directoryModes) {
    // The tree is fenced (atomic.ts), so nothing swaps the path between this lstat and the chmod.
    const st = await lstat(dir).catch(() => undefined);
    if (st?.isDirectory()) await chmod(dir, mode);
  }
  return summary;
}
