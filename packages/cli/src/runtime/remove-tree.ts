// remove-tree.ts — removing a directory ctr made, when its usual contents are known: a layer after a
// container that wrote nothing holds `upper`, `work` and overlayfs' `work/work`; a state directory after a
// foreground run holds the shim's exit.json. unlink/rmdir of those few names is all the kernel work there is,
// while Node's recursive rmSync lstat()s and lists every level first and is cold JavaScript on each `ctr run`
// (measured: ~3.7 ms against ~1 ms for the first removal in a process, 0.93 against 0.62 ms warm). Anything
// else in the directory makes the short way fail (ENOTEMPTY, ENOTDIR, EISDIR), and the long way removes it.
// Single files go through unlink too: even a non-recursive rmSync loads Node's rimraf module.
import { rmdirSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * Removes `dir` and everything below it; a missing one is fine. `usual` lists what it normally holds, deepest
 * first, directories with a trailing slash (`['upper/', 'work/work/', 'work/']`).
 */
export function removeTree(dir: string, usual: readonly string[]): void {
  try {
    for (const entry of usual) {
      try {
        if (entry.endsWith('/')) rmdirSync(path.join(dir, entry));
        else unlinkSync(path.join(dir, entry));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes the file `file`; a missing one is fine. */
export function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
