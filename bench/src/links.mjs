// links.mjs — the bench's view of its own host-side network objects, over rtnetlink via @ctr/netns:
// removing the bench-only bridges, counting the veths left on one, and refusing to send a packet to a
// bench subnet unless the host routes it to the bench bridge (without that route the packet would follow the
// default route out of the machine). See rtnetlink(7), bridge(8).
import { NetlinkSocket, deleteLink, findLink, findOverlappingRoutes, listLinks, listRoutes, parseCidr } from '@ctr/netns';

/**
 * Deletes a link if it exists; returns whether it did.
 * @param {string} name
 */
export function deleteLinkIfPresent(name) {
  const sock = NetlinkSocket.open();
  try {
    if (!findLink(sock, name)) return false;
    deleteLink(sock, name);
    return true;
  } finally {
    sock.close();
  }
}

/**
 * Host links that are ports of `bridge` (0 when the bridge does not exist).
 * @param {string} bridge
 * @returns {string[]}
 */
export function portsOf(bridge) {
  const sock = NetlinkSocket.open();
  try {
    const master = findLink(sock, bridge);
    if (!master) return [];
    return listLinks(sock).filter((l) => l.master === master.index).map((l) => l.name);
  } finally {
    sock.close();
  }
}

/**
 * Throws unless the main table routes `subnet` (e.g. `10.214.0.0/16`) straight to `bridge` and no other
 * route covers any part of it.
 * @param {string} subnet
 * @param {string} bridge
 */
export function assertRoutedToBridge(subnet, bridge) {
  const sock = NetlinkSocket.open();
  try {
    const link = findLink(sock, bridge);
    const main = listRoutes(sock).filter((r) => r.table === 254);
    const route = link && main.find((r) => r.dst === subnet && r.oif === link.index && !r.gateway);
    if (!route) throw new Error(`no route ${subnet} dev ${bridge}: refusing to send traffic that could leave the host`);
    const other = findOverlappingRoutes(main, parseCidr(subnet), link.index)[0];
    if (other) throw new Error(`route ${other.dst} overlaps ${subnet}: refusing to send traffic that could leave the host`);
  } finally {
    sock.close();
  }
}
