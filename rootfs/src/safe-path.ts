// safe-path.ts — keeps every write inside a tree that may hold hostile symlinks (an imported tarball).
// A path is accepted only if it has no ".." and every parent component, walked from the tree root, is a
// real directory: a symlink planted earlier can then never redirect a later write outside the tree.
// The final component is created with O_EXCL|O_NOFOLLOW (or after unlinking what was there), so it is
// never followed either. The tree is a fresh mkdtemp(3) directory (mode 0700) only this process writes,
// so nothing changes between the checks and the writes. See path_resolution(7), open(2), symlink(7).
import { lstat, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from './errors.js';

/**
 * Splits an archive or tree path into components, re-rooting absolute paths ("/etc/x" → etc, x) and
 * dropping "." and empty parts. Returns null for a path with a ".." component or a NUL byte.
 */
export function treeComponents(name: string): string[] | null {
  if (name.includes('\0')) return null;
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  return parts.includes('..') ? null : parts;
}

/**
 * Makes sure each of `parents` below `root` is a real directory, creating missing ones (mode 0755).
 * @returns undefined when the path is safe, else why not (a symlink or file is in the way)
 */
export async function ensureParents(root: string, parents: string[], create = true): Promise<string | undefined> {
  let path = root;
  for (const part of parents) {
    path = join(path, part);
    try {
      const st = await lstat(path);
      if (st.isSymbolicLink()) return `${path} is a symlink`;
      if (!st.isDirectory()) return `${path} is not a directory`;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      if (!create) return `${path} does not exist`;
      await mkdir(path, 0o755);
    }
  }
  return undefined;
}

/**
 * Removes whatever sits at `path` so a new entry can be created there with O_EXCL. rm(2)-like: a symlink
 * is removed itself, never its target; a directory goes with its contents (rm does not follow links).
 * @returns what was there before: 'directory', 'other' or 'none'
 */
export async function clearPath(path: string, keepDirectory: boolean): Promise<'directory' | 'other' | 'none'> {
  try {
    const st = await lstat(path);
    if (st.isDirectory() && keepDirectory) return 'directory';
    await rm(path, { recursive: true, force: true });
    return st.isDirectory() ? 'directory' : 'other';
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'none';
    throw err;
  }
}
