// rootfs-store.ts — named root filesystems in the store of config.ts (`default`, or what `ctr rootfs build
// --name` imported) and how `ctr run` reads its positionals now that ROOTFS is optional. docker always wants
// an image; here the first positional is the rootfs when it is an existing directory (every invocation that
// worked before still does) or the name of a rootfs in the store, and otherwise the command, run in `default`.
import { statSync } from 'node:fs';
import path from 'node:path';
import { rootfsStore } from './config.js';
import { invalid } from './errors.js';

/** A store name is one path component: no '/', no leading dot (so never `.` or `..`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export const DEFAULT_ROOTFS_NAME = 'default';

function isDirectory(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** The store path of rootfs `name`; a name that is not one path component is one clear error. */
export function namedRootfsPath(name: string): string {
  if (!NAME.test(name)) {
    throw invalid(`rootfs name "${name}" must be letters, digits, '.', '_' or '-' (not starting with '.' or '-')`);
  }
  return path.join(rootfsStore, name);
}

/** Splits `ctr run`'s positionals into the rootfs directory and the command (empty: the default shell). */
export function splitRunPositionals(positionals: readonly string[]): { rootfs: string; command: string[] } {
  const [first, ...rest] = positionals;
  if (first !== undefined) {
    if (isDirectory(first)) return { rootfs: first, command: rest };
    if (NAME.test(first) && isDirectory(path.join(rootfsStore, first))) {
      return { rootfs: path.join(rootfsStore, first), command: rest };
    }
  }
  const fallback = path.join(rootfsStore, DEFAULT_ROOTFS_NAME);
  if (isDirectory(fallback)) return { rootfs: fallback, command: [...positionals] };
  const build = `build it with \`ctr rootfs build\` or give a rootfs directory first`;
  if (first === undefined) throw invalid(`no ROOTFS given and no default rootfs at ${fallback}: ${build}`);
  throw invalid(`"${first}" is neither a directory nor a rootfs in ${rootfsStore}, and no default rootfs exists at ${fallback} to run it in: ${build}`);
}
