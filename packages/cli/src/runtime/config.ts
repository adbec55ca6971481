// config.ts — the one place where ctr's host-wide settings live.
// The bridge network's subnet is set here; the environment variables below override it, so a host whose own
// routes overlap 10.88.0.0/16 can move ctr elsewhere (ctr refuses to start on an overlap and names it).

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

export const bridgeNetwork = {
  /** bridge device on the host; containers' veths are its ports */
  bridge: process.env.CTR_BRIDGE ?? 'ctr0',
  /** IPv4 subnet in CIDR form; the gateway is its first address and sits on the bridge */
  subnet: process.env.CTR_SUBNET ?? '10.88.0.0/16',
};

/** Seconds between forwarding a stop signal to PID 1 and killing the container, as `docker stop`. */
export const stopTimeoutSeconds = 10;
