// links.ts — link operations over a NetlinkSocket: veth pairs with the peer created directly in another netns,
// bridges, bridge ports, admin state, lookup, listing and deletion. Lookups use RTM_GETLINK, never
// /sys/class/net: sysfs shows the netns that mounted it, not the socket's. See: rtnetlink(7), ip-link(8),
// veth(4), bridge(8).
import { closeSync, openSync } from 'node:fs';

import { IFNAMSIZ, RTM_NEWLINK } from './constants.js';
import { NetnsError } from './errors.js';
import {
  decodeLink,
  encodeDelLink,
  encodeDumpLinks,
  encodeGetLink,
  encodeNewBridge,
  encodeNewVeth,
  encodeSetLink,
  type Link,
  type LinkRef,
} from './messages.js';
import type { NetlinkSocket } from './socket.js';

/**
 * Throws `EINVAL_IFNAME` unless `name` is a valid interface name: 1–15 bytes (IFNAMSIZ includes the NUL),
 * no `/`, `:` or whitespace, not `.` or `..` (the kernel's dev_valid_name()).
 */
export function validateIfname(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes >= IFNAMSIZ || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    throw new NetnsError(`invalid interface name '${name}': 1-${IFNAMSIZ - 1} bytes, no '/', ':' or spaces`, {
      code: 'EINVAL_IFNAME',
    });
  }
}

function describe(ref: LinkRef): string {
  return 'index' in ref ? `ifindex ${ref.index}` : `link ${ref.name}`;
}

function toRef(link: number | string): LinkRef {
  if (typeof link === 'number') return { index: link };
  validateIfname(link);
  return { name: link };
}

/** Where a veth peer is created: a PID's netns, a netns file such as `/proc/PID/ns/net`, or an open netns fd. */
export type PeerNetns = { pid: number } | { path: string } | { fd: number };

/**
 * Creates a veth pair `name` ↔ `peerName`. With `peerNetns` the peer is born inside that netns (IFLA_NET_NS_FD
 * of the opened file or of the fd given, or IFLA_NET_NS_PID), so it never appears on the host and its name
 * cannot collide there. `master` (a bridge ifindex) and `up` apply to the local end in the same request; the
 * peer stays down (see encodeNewVeth). `queues` gives both ends that many queues, `peerMac` the peer its hardware
 * address (see encodeNewVeth). Returns the local end as the kernel reports it; its `link` is the peer's ifindex
 * (in the peer's netns). The kernel echoes the new link (NLM_F_ECHO, Linux ≥ 6.3); only an older kernel costs a
 * lookup by name.
 */
export function createVeth(
  sock: NetlinkSocket,
  opts: { name: string; peerName: string; peerNetns?: PeerNetns; peerMac?: string; master?: number; up?: boolean; queues?: number },
): Link {
  validateIfname(opts.name);
  validateIfname(opts.peerName);
  const context = `veth ${opts.name} peer ${opts.peerName}`;
  const local = {
    name: opts.name,
    peerName: opts.peerName,
    echo: true,
    ...(opts.master === undefined ? {} : { master: opts.master }),
    ...(opts.up === undefined ? {} : { up: opts.up }),
    ...(opts.queues === undefined ? {} : { queues: opts.queues }),
    ...(opts.peerMac === undefined ? {} : { peerMac: opts.peerMac }),
  };
  let replies;
  if (opts.peerNetns && 'path' in opts.peerNetns) {
    const path = opts.peerNetns.path;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new NetnsError(`open netns ${path}: ${e.code}`, {
        code: e.code ?? 'EIO',
        ...(e.errno === undefined ? {} : { errno: e.errno }),
        syscall: 'open',
        path,
        cause: err,
      });
    }
    try {
      replies = sock.request(encodeNewVeth({ ...local, peerNetns: { fd } }), context);
    } finally {
      closeSync(fd);
    }
  } else {
    replies = sock.request(encodeNewVeth({ ...local, ...(opts.peerNetns && { peerNetns: opts.peerNetns }) }), context);
  }
  const echoed = replies.filter((r) => r.header.type === RTM_NEWLINK).map(decodeLink).find((l) => l.name === opts.name);
  return echoed ?? getLink(sock, opts.name);
}

/** Creates a bridge; throws NetlinkError `EEXIST` if a link of that name exists. */
export function createBridge(sock: NetlinkSocket, name: string): Link {
  validateIfname(name);
  sock.request(encodeNewBridge(name), `bridge ${name}`);
  return getLink(sock, name);
}

/**
 * Returns bridge `name`, creating it if missing. Safe when many processes race: the loser of the create gets
 * EEXIST and looks the winner's bridge up. Throws `EEXIST_NOT_BRIDGE` if the name belongs to another kind.
 */
export function ensureBridge(sock: NetlinkSocket, name: string): Link {
  let link = findLink(sock, name);
  if (!link) {
    try {
      link = createBridge(sock, name);
    } catch (err) {
      if ((err as NetnsError).code !== 'EEXIST') throw err;
      link = getLink(sock, name);
    }
  }
  if (link.kind !== 'bridge') {
    throw new NetnsError(`link ${name} exists and is not a bridge (kind ${link.kind ?? 'none'})`, {
      code: 'EEXIST_NOT_BRIDGE',
    });
  }
  return link;
}

/**
 * Changes admin state and/or bridge membership in one request. `master: 0` releases the link from its bridge.
 */
export function setLink(sock: NetlinkSocket, link: number | string, change: { up?: boolean; master?: number }): void {
  const ref = toRef(link);
  sock.request(encodeSetLink(ref, change), describe(ref));
}

/** Sets a link up (or down with `up = false`). By name works without a lookup: the kernel resolves it. */
export function setLinkUp(sock: NetlinkSocket, link: number | string, up = true): void {
  setLink(sock, link, { up });
}

/** Makes `link` a port of bridge `bridgeIndex`. */
export function setMaster(sock: NetlinkSocket, link: number | string, bridgeIndex: number): void {
  setLink(sock, link, { master: bridgeIndex });
}

/** Looks a link up by name in the socket's netns; undefined if there is none (ENODEV). */
export function findLink(sock: NetlinkSocket, name: string): Link | undefined {
  validateIfname(name);
  try {
    return getLinkUnchecked(sock, name);
  } catch (err) {
    if ((err as NetnsError).code === 'ENODEV') return undefined;
    throw err;
  }
}

/** Looks a link up by name; throws NetlinkError `ENODEV` if missing. */
export function getLink(sock: NetlinkSocket, name: string): Link {
  validateIfname(name);
  return getLinkUnchecked(sock, name);
}

function getLinkUnchecked(sock: NetlinkSocket, name: string): Link {
  const [reply] = sock.request(encodeGetLink(name), `link ${name}`);
  if (!reply) throw new NetnsError(`RTM_GETLINK link ${name}: empty reply`, { code: 'EPROTO', syscall: 'netlink' });
  return decodeLink(reply);
}

/** Lists every link in the socket's netns. */
export function listLinks(sock: NetlinkSocket): Link[] {
  return sock.request(encodeDumpLinks(), 'dump').map(decodeLink);
}

/** Deletes a link by index or name; for a veth this removes both ends. Missing link → NetlinkError `ENODEV`. */
export function deleteLink(sock: NetlinkSocket, link: number | string): void {
  const ref = toRef(link);
  sock.request(encodeDelLink(ref), describe(ref));
}
