// layer.ts — each container's writable layer: the rootfs is the read-only lower layer of an overlay, and what
// the container writes goes to `<dataRoot>/containers/<id>/upper` (with overlayfs' `work` beside it), a
// directory only root can reach and that is removed with the container. So a file the container makes (a
// setuid copy of a shell, say) never shows up in the rootfs, never reaches host users, and never reaches the
// next container on that rootfs. The overlay itself is mounted by the container's clone child in its own
// mount namespace (@ctr/ns-native, src/layer.cc) and vanishes with that namespace; only the directory remains
// to remove. Its path is recorded in the state file before it is created, so the sweep finds it after a
// SIGKILL of `ctr run` at any point. See: overlayfs (Documentation/filesystems/overlayfs.rst).
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { dataRoot } from './config.js';
import { CtrError } from './errors.js';
import { removeTree } from './remove-tree.js';

/** How a container's writes reach the disk, as `ctr ps --json` shows it (`rootfsMode`). */
export type RootfsMode = 'overlay' | 'rw';

const layersDir = (): string => path.join(dataRoot, 'containers');

/** Where the layer of container `id` lives (ids are 12 hex digits, names/newId). */
export const layerDirOf = (id: string): string => path.join(layersDir(), id);

const isLayerName = (entry: string): boolean => /^[0-9a-f]{12}$/.test(entry);

export interface IdMap {
  hostUid: number;
  hostGid: number;
  size: number;
}

/**
 * Creates `dir` (from layerDirOf) with empty `upper` and `work`. The upper directory is the root of the
 * container's `/`, so it takes the rootfs root's mode and owner. In a user namespace the overlay is mounted by
 * the container's root, an unprivileged host uid: `dir`, `upper` and `work` belong to it (the parents stay
 * root-only; the container reaches `dir` through a mount the runtime hands it, not by path).
 */
export function createLayer(dir: string, rootfs: string, userns?: IdMap): void {
  try {
    mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    // Also when the directory existed before: nobody but root may walk into the layers.
    chmodSync(path.dirname(dir), 0o700);
    mkdirSync(dir, { mode: 0o700 });
    const upper = path.join(dir, 'upper');
    const work = path.join(dir, 'work');
    mkdirSync(upper);
    mkdirSync(work, { mode: 0o700 });
    const root = statSync(rootfs);
    // Ids outside the mapping show as the overflow id through the idmapped rootfs; container root is the best
    // owner for `/` then.
    const mapped = (id: number, host: number): number => (userns ? host + (id < userns.size ? id : 0) : id);
    if (userns) {
      chownSync(dir, userns.hostUid, userns.hostGid);
      chownSync(work, userns.hostUid, userns.hostGid);
    }
    chownSync(upper, mapped(root.uid, userns?.hostUid ?? 0), mapped(root.gid, userns?.hostGid ?? 0));
    chmodSync(upper, root.mode & 0o7777);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CtrError(`cannot create the container's writable layer in ${dir}: ${e.message}; set CTR_DATA_DIR to a directory on ext4, xfs or btrfs, or use --rootfs-rw`, {
      code: e.code ?? 'ERR_CTR_LAYER', ...(e.errno !== undefined ? { errno: e.errno } : {}), ...(e.syscall ? { syscall: e.syscall } : {}), path: e.path ?? dir, cause: err,
    });
  }
}

/** Removes a layer directory and everything the container wrote; a missing one is fine. */
export function removeLayer(dir: string): void {
  // A recorded path is only trusted when it has the shape layerDirOf gives, so a damaged state file cannot
  // make the sweep delete anything else.
  if (!isLayerName(path.basename(dir)) || path.basename(path.dirname(dir)) !== 'containers') {
    throw new CtrError(`refusing to remove ${dir}: not a container layer directory`, { code: 'ERR_CTR_LAYER', path: dir });
  }
  removeTree(dir, ['upper/', 'work/work/', 'work/']);
}

/** The ids that have a layer directory now. */
export function listLayers(): string[] {
  try {
    return readdirSync(layersDir()).filter(isLayerName);
  } catch {
    return [];
  }
}
