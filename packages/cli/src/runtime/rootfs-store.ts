// rootfs-store.ts — named root filesystems in the store of config.ts (`default`, or what `ctr rootfs build
// --name` imported) and how `ctr run` reads its positionals now that ROOTFS is optional (docker always wants
// an image). As a shell tells `ls` from `./ls`, the first positional is the rootfs when it is a path to a
// directory (`rootfs/default`, `/srv/root`, `./mine`), or a bare word naming a rootfs that ctr built or
// imported into the store (so that in a checkout, whose store is rootfs/ beside src/ and test/, `ctr run test
// -f x` stays the command `test`, whatever the current directory holds). Otherwise it starts the command, run
// in `default`: a bare word is looked up on PATH inside, but a path must exist inside the default rootfs, so
// a mistyped rootfs path is one clear error rather than a "command not found" from the container.
import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { rootfsStore } from './config.js';
import { invalid } from './errors.js';

/** A store name is one path component: no '/', no leading dot (so never `.` or `..`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export const DEFAULT_ROOTFS_NAME = 'default';

/**
 * The stamp @ctr/rootfs writes beside every tree it builds or imports (`stampPath` of its atomic.ts: a hidden
 * sibling, never inside the tree a container can write). Spelled out here so `ctr run` does not load @ctr/rootfs.
 */
const stampOf = (name: string): string => path.join(rootfsStore, `.${name}.ctr-rootfs.json`);

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

/**
 * Splits `ctr run`'s positionals into the rootfs directory and the command (empty: the default shell).
 * @param workdir `-w`, against which a relative command path is found inside the default rootfs
 */
export function splitRunPositionals(positionals: readonly string[], workdir = '/'): { rootfs: string; command: string[] } {
  const [first, ...rest] = positionals;
  const isPath = first !== undefined && (first.includes('/') || first === '.' || first === '..');
  if (first !== undefined) {
    if (isPath && isDirectory(first)) return { rootfs: first, command: rest };
    if (NAME.test(first) && statSync(stampOf(first), { throwIfNoEntry: false })?.isFile()) {
      return { rootfs: path.join(rootfsStore, first), command: rest };
    }
  }
  const fallback = path.join(rootfsStore, DEFAULT_ROOTFS_NAME);
  const build = 'build it with `ctr rootfs build` or give a rootfs directory first';
  if (!isDirectory(fallback)) {
    if (first === undefined) throw invalid(`no ROOTFS given and no default rootfs at ${fallback}: ${build}`);
    const here = !isPath && isDirectory(first) ? ` (the directory "${first}" here is given as ./${first})` : '';
    throw invalid(`"${first}" is neither a directory nor a rootfs in ${rootfsStore}, and no default rootfs exists at ${fallback} to run it in: ${build}${here}`);
  }
  // The rootfs's own symlinks on the way resolve on the host (an absolute one into the host's tree): enough to
  // tell a command from a mistyped rootfs path.
  if (isPath && lstatSync(path.join(fallback, path.resolve('/', workdir, first)), { throwIfNoEntry: false }) === undefined) {
    const onHost = lstatSync(first, { throwIfNoEntry: false });
    throw invalid(
      `rootfs "${first}" ${onHost ? 'is not a directory' : 'does not exist'}, nor is it a file in the default rootfs ${fallback} to run as a command`,
      path.resolve(first),
    );
  }
  return { rootfs: fallback, command: [...positionals] };
}
