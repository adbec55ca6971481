// connect.ts — the one-call network setup the runtime needs per container: a shared bridge with the gateway
// address, a veth whose peer is born inside the container's netns, and inside that netns `lo`, the interface,
// its address and the default route. Everything is synchronous rtnetlink, no sysfs and no helper binaries.
// Once the bridge exists it costs one bridge lookup (none if the caller passes the bridge it just looked up),
// one veth request whose echo names the peer's ifindex, one datagram of four changes inside the netns, and a
// lookup of each end once it is up, which finishes its link-watch work before the command runs (see below).
// The container's MAC follows from its address (mac.ts), as docker's does.
// See: rtnetlink(7), veth(4), bridge(8), network_namespaces(7), arp(7).
import { closeSync, openSync } from 'node:fs';

import { addAddress } from './addresses.js';
import { RTM_NEWADDR, RTM_NEWROUTE } from './constants.js';
import { NetnsError } from './errors.js';
import { parseAddressWithPrefix, parseIpv4 } from './ipv4.js';
import { containerMac } from './mac.js';
import { createVeth, deleteLink, ensureBridge, getLink, setLinkUp, validateIfname } from './links.js';
import { encodeAddress, encodeRoute, encodeSetLink, type Link } from './messages.js';
import { NetlinkSocket } from './socket.js';

export interface ConnectOptions {
  /** Bridge name, e.g. `ctr0`; created if missing. */
  bridge: string;
  /** Gateway address of the bridge with the subnet's prefix, e.g. `10.88.0.1/16`. */
  bridgeAddress: string;
  /** Host end of the veth, e.g. `veth1a2b3c4d` (≤ 15 bytes). */
  hostIfname: string;
  /** Any process inside the container's netns (usually its init). */
  containerPid: number;
  /** Name of the interface inside the container. Default `eth0`. */
  containerIfname?: string;
  /** Container address with prefix, e.g. `10.88.0.5/16`. */
  address: string;
  /** Default gateway for the container; usually the bridge address without prefix. */
  gateway: string;
  /** Reuse an open host-side socket (saves a socket() per container in a long-lived process). */
  hostSocket?: NetlinkSocket;
  /** The bridge as the caller just looked it up on `hostSocket` (findLink): saves the lookup. */
  bridgeLink?: Link;
}

export interface ConnectResult {
  bridgeIndex: number;
  hostIfname: string;
  hostIndex: number;
  containerIfname: string;
  containerIndex: number;
  address: string;
  gateway: string;
}

function ignoreExists(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    // Another container's setup may have added the same bridge address a moment earlier: that is success.
    if ((err as NetnsError).code !== 'EEXIST') throw err;
  }
}

/**
 * Connects a container's netns to bridge `bridge`. Idempotent for the bridge part and safe when many processes
 * connect at once; the veth part is per container. On failure after the veth exists, the veth is deleted
 * (which removes both ends) and the original error is thrown with `cleanupErrors` attached if that failed too.
 */
export function connectContainer(opts: ConnectOptions): ConnectResult {
  const containerIfname = opts.containerIfname ?? 'eth0';
  validateIfname(opts.bridge);
  validateIfname(opts.hostIfname);
  validateIfname(containerIfname);
  // Parsed before anything exists: a bad address must not leave a veth behind.
  const { address, prefixLen } = parseAddressWithPrefix(opts.address);
  const gateway = parseIpv4(opts.gateway);
  const host = opts.hostSocket ?? NetlinkSocket.open();
  // One fd for both the veth peer placement and the container socket, so a PID that exits and is recycled
  // in between cannot split the two across different namespaces.
  const nsPath = `/proc/${opts.containerPid}/ns/net`;
  let nsFd: number;
  try {
    nsFd = openSync(nsPath, 'r');
  } catch (err) {
    if (!opts.hostSocket) host.close();
    const e = err as NodeJS.ErrnoException;
    throw new NetnsError(`open ${nsPath}: ${e.code}`, {
      code: e.code ?? 'EIO',
      ...(e.errno === undefined ? {} : { errno: e.errno }),
      syscall: 'open',
      path: nsPath,
      cause: err,
    });
  }
  let vethCreated = false;
  let inner: NetlinkSocket | undefined;
  try {
    const known = opts.bridgeLink;
    const bridge = known && known.name === opts.bridge && known.kind === 'bridge' ? known : ensureBridge(host, opts.bridge);
    // The bridge is configured in the order address, then up, so a bridge found up already has its address
    // and the steady state costs one lookup. A bridge found down is configured here, racing peers tolerated.
    if (!bridge.up) {
      ignoreExists(() => addAddress(host, bridge.index, opts.bridgeAddress));
      setLinkUp(host, bridge.index);
    }

    // One queue per end, as the kernel would cut it to anyway, minus the two RCU waits of the cut.
    const veth = createVeth(host, {
      name: opts.hostIfname,
      peerName: containerIfname,
      peerNetns: { fd: nsFd },
      peerMac: containerMac(address),
      master: bridge.index,
      up: true,
      queues: 1,
    });
    vethCreated = true;

    inner = NetlinkSocket.open(`/proc/self/fd/${nsFd}`);
    // IFLA_LINK of the local end is the peer's ifindex in the container's netns: the very link just created,
    // whatever else that netns holds. Only a kernel without it (none in practice) needs the lookup by name.
    const peerIndex = veth.link || getLink(inner, containerIfname).index;
    const peer = `${containerIfname} ifindex ${peerIndex}`;
    // In order, in one datagram: the route's gateway is reachable only through the address before it.
    inner.requestBatch([
      { message: encodeSetLink({ name: 'lo' }, { up: true }), context: 'link lo' },
      { message: encodeSetLink({ index: peerIndex }, { up: true }), context: `link ${peer}` },
      { message: encodeAddress(RTM_NEWADDR, { index: peerIndex, address, prefixLen }), context: `${opts.address} ${peer}` },
      {
        message: encodeRoute(RTM_NEWROUTE, { gateway, oif: peerIndex }),
        context: `default via ${opts.gateway} ${peer}`,
      },
    ]);
    // Ready before the command starts. The kernel finishes bringing a link up (carrier, its real qdisc in
    // place of noop_qdisc, which drops all it is given; the bridge port forwarding) in its link-watch work,
    // asynchronously and under the rtnl lock: with many network namespaces being destroyed it ran seconds
    // late, and a client connecting right away got no answer. RTM_GETLINK runs a link's pending work in the
    // caller (rtnl_getlink → linkwatch_sync_dev): once for each end.
    getLink(inner, containerIfname);
    getLink(host, opts.hostIfname);
    return {
      bridgeIndex: bridge.index,
      hostIfname: opts.hostIfname,
      hostIndex: veth.index,
      containerIfname,
      containerIndex: peerIndex,
      address: opts.address,
      gateway: opts.gateway,
    };
  } catch (err) {
    if (vethCreated) {
      try {
        deleteLink(host, opts.hostIfname);
      } catch (cleanupError) {
        Object.assign(err as object, { cleanupErrors: [cleanupError] });
      }
    }
    throw err;
  } finally {
    inner?.close();
    closeSync(nsFd);
    if (!opts.hostSocket) host.close();
  }
}

/**
 * Removes a container's veth by its host end (deleting one end deletes both). Returns false if it was already
 * gone (the container's netns died, which destroys the pair too).
 */
export function disconnectContainer(hostIfname: string, hostSocket?: NetlinkSocket): boolean {
  validateIfname(hostIfname);
  const host = hostSocket ?? NetlinkSocket.open();
  try {
    deleteLink(host, hostIfname);
    return true;
  } catch (err) {
    if ((err as NetnsError).code === 'ENODEV') return false;
    throw err;
  } finally {
    if (!hostSocket) host.close();
  }
}
