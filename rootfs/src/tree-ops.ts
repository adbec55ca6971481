// tree-ops.ts — a root filesystem described as a list of operations (directories, symlinks, files copied
// from the host, generated files, hard links). Planning is cheap (lstat/readlink only), so the plan's
// hash decides whether a rebuild is needed before anything is copied. Applying goes through safe-path,
// so the same code can add files to an imported, untrusted tree. See symlink(7), copy_file_range(2).
import { createHash } from 'node:crypto';
import { chmod, copyFile, constants, link, lstat, readlink, realpath, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { RootfsError, fsError } from './errors.js';
import { clearPath, ensureParents, treeComponents } from './safe-path.js';

export type TreeOp =
  | { kind: 'dir'; treePath: string; mode: number }
  | { kind: 'symlink'; treePath: string; target: string }
  | { kind: 'file'; treePath: string; hostPath: string; mode: number; size: number; mtimeMs: number }
  | { kind: 'content'; treePath: string; content: string; mode: number }
  | { kind: 'hardlink'; treePath: string; existing: string };

/** Bounds a symlink chain the way the kernel's 40-link limit (ELOOP) does. */
const MAX_CHAIN = 40;

/**
 * Plans copying one host file into the tree at the same place, link by link: each symlink on the way
 * (/usr/bin/awk → /etc/alternatives/awk → /usr/bin/mawk) is recreated as is, then the final file is
 * copied. Directories are taken by their host real path, so the tree mirrors the host's merged-/usr
 * layout. With `treePath` set, the file's content is copied there instead, without the chain.
 */
export async function planHostFile(hostPath: string, treePath?: string): Promise<TreeOp[]> {
  try {
    if (treePath !== undefined) {
      const real = await realpath(hostPath);
      return [await fileOp(real, treePath)];
    }
    const ops: TreeOp[] = [];
    let current = hostPath;
    for (let depth = 0; depth < MAX_CHAIN; depth++) {
      const here = join(await realpath(dirname(current)), basename(current));
      const st = await lstat(here);
      if (st.isFile()) return [...ops, await fileOp(here, here)];
      if (!st.isSymbolicLink()) throw new RootfsError('EIO', `${here} is neither a file nor a symlink`, { path: here });
      const target = await readlink(here);
      ops.push({ kind: 'symlink', treePath: here, target });
      current = resolve(dirname(here), target);
    }
    throw new RootfsError('EIO', `${hostPath}: too many levels of symbolic links`, { path: hostPath });
  } catch (err) {
    throw fsError(err, `cannot plan copying ${hostPath}`, hostPath);
  }
}

async function fileOp(hostPath: string, treePath: string): Promise<TreeOp> {
  const st = await lstat(hostPath);
  return { kind: 'file', treePath, hostPath, mode: st.mode & 0o7777, size: st.size, mtimeMs: st.mtimeMs };
}

/** Drops later operations on a path already planned, keeping the first. */
export function dedupe(ops: TreeOp[]): TreeOp[] {
  const seen = new Set<string>();
  return ops.filter((op) => !seen.has(op.treePath) && seen.add(op.treePath));
}

/** A stable digest of the plan: any changed host file (size, mtime, mode), path or generated text changes it. */
export function hashOps(ops: TreeOp[], salt: string): string {
  const hash = createHash('sha256').update(salt);
  for (const op of ops) hash.update(JSON.stringify(op)).update('\n');
  return hash.digest('hex');
}

/**
 * Applies operations to `tree` in order. Every path is checked with safe-path first, so no write goes
 * through a symlink even when the tree came from an untrusted tarball.
 * @throws RootfsError `EUNSAFE` when a parent component is a symlink or file, `EIO` and friends on I/O
 */
export async function applyOps(tree: string, ops: TreeOp[], onProgress: (message: string) => void): Promise<void> {
  const files = ops.filter((op) => op.kind === 'file').length;
  onProgress(`copying ${files} files from the host`);
  for (const op of ops) {
    const parts = treeComponents(op.treePath);
    if (!parts || parts.length === 0) throw new RootfsError('EUNSAFE', `refusing to write ${op.treePath}`, { path: op.treePath });
    const target = join(tree, ...parts);
    try {
      const problem = await ensureParents(tree, parts.slice(0, -1));
      if (problem) throw new RootfsError('EUNSAFE', `cannot write ${op.treePath}: ${problem}`, { path: target });
      await applyOne(tree, target, op);
    } catch (err) {
      throw fsError(err, `cannot write ${op.treePath}`, target);
    }
  }
}

async function applyOne(tree: string, target: string, op: TreeOp): Promise<void> {
  await clearPath(target, op.kind === 'dir');
  switch (op.kind) {
    case 'dir':
      await ensureParents(tree, treeComponents(op.treePath)!);
      // mkdir(2) applies the umask; chmod sets sticky /tmp (1777) and private /root (0700) exactly.
      await chmod(target, op.mode);
      return;
    case 'symlink':
      await symlink(op.target, target);
      return;
    case 'file':
      // FICLONE shares blocks on reflink filesystems and falls back to a plain copy elsewhere.
      await copyFile(op.hostPath, target, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      await chmod(target, op.mode);
      return;
    case 'content':
      await writeFile(target, op.content, { flag: 'wx', mode: op.mode });
      await chmod(target, op.mode);
      return;
    case 'hardlink': {
      const existing = join(tree, ...(treeComponents(op.existing) ?? []));
      const problem = await ensureParents(tree, treeComponents(dirname(op.existing)) ?? [], false);
      if (problem || !(await lstat(existing)).isFile())
        throw new RootfsError('EUNSAFE', `cannot link ${op.treePath} to ${op.existing}: ${problem ?? 'not a regular file'}`, { path: target });
      await link(existing, target);
    }
  }
}
