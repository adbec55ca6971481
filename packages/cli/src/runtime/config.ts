// config.ts — the one place where ctr's host-wide settings live.
// The bridge network's subnet is set here; the environment variables below override it, so a host whose own
// routes overlap 10.88.0.0/16 can move ctr elsewhere (ctr refuses to start on an overlap and names it).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of ctr's runtime state (tmpfs on most systems, so it is empty after a reboot, like runc's). */
export const stateRoot = process.env.CTR_STATE_DIR ?? '/run/ctr';

/**
 * Root of ctr's data on disk: each container's writable layer (`containers/<id>/upper`, `work`) lives below it,
 * root-only (0700). It must be on a filesystem overlayfs accepts as an upper layer (ext4, xfs, btrfs, tmpfs…).
 * It belongs to one state directory: the sweep removes layers no state file there names. So a separate
 * CTR_STATE_DIR (the bench uses one) gets its own layers below it unless CTR_DATA_DIR says otherwise.
 */
export const dataRoot =
  process.env.CTR_DATA_DIR ?? (process.env.CTR_STATE_DIR ? `${process.env.CTR_STATE_DIR}/data` : '/var/lib/ctr');

/**
 * The checkout's rootfs/ when this ctr runs from a source checkout (a directory above it holds
 * pnpm-workspace.yaml and rootfs/, and no node_modules lies on the way: an installed ctr never counts).
 */
function checkoutRootfsDir(): string | undefined {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'node_modules') return undefined;
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
      const rootfsDir = path.join(dir, 'rootfs');
      return existsSync(path.join(rootfsDir, 'package.json')) ? rootfsDir : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Where named root filesystems live: `ctr rootfs build` writes `default` here, and `ctr run` without a ROOTFS
 * (or with a name such as `default` instead of a path) runs from it. `CTR_ROOTFS_DIR` overrides; in a source
 * checkout it is the checkout's rootfs/ (so `rootfs/default`), elsewhere /var/lib/ctr/rootfs.
 */
export const rootfsStore = process.env.CTR_ROOTFS_DIR ?? checkoutRootfsDir() ?? '/var/lib/ctr/rootfs';

export const bridgeNetwork = {
  /** bridge device on the host; containers' veths are its ports */
  bridge: process.env.CTR_BRIDGE ?? 'ctr0',
  /** IPv4 subnet in CIDR form; the gateway is its first address and sits on the bridge */
  subnet: process.env.CTR_SUBNET ?? '10.88.0.0/16',
};

/** Seconds between forwarding a stop signal to PID 1 and killing the container, as `docker stop`. */
export const stopTimeoutSeconds = 10;
