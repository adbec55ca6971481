// neighbours.ts — the host's IPv4 neighbour (ARP) entries. An address handed to a new container may still
// have an entry from its last holder: that container's MAC, gone with its veth. While the bridge has other
// ports up the kernel keeps such an entry (it flushes a link's entries only when the link loses carrier),
// sends to the old MAC, which no port has any more, and only re-resolves after its probes fail: a client on
// the host saw its connections to the new container time out for 5 s and more. See: arp(7), rtnetlink(7).
import { NetlinkError } from './errors.js';
import { encodeDelNeighbour } from './messages.js';
import type { NetlinkSocket } from './socket.js';
import { formatIpv4 } from './ipv4.js';

/** Deletes the neighbour entry of `address` (an IPv4 address as a number) on link `index`; none there is fine. */
export function forgetNeighbour(sock: NetlinkSocket, index: number, address: number): void {
  try {
    sock.request(encodeDelNeighbour(index, address), `neighbour ${formatIpv4(address)} ifindex ${index}`);
  } catch (err) {
    if (!(err instanceof NetlinkError && err.code === 'ENOENT')) throw err;
  }
}
