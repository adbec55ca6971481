// addresses.ts — IPv4 address operations over a NetlinkSocket: add, remove, list. Adding an address also makes
// the kernel install the prefix route (proto kernel, scope link) for its subnet. See: rtnetlink(7),
// ip-address(8).
import { RTM_DELADDR, RTM_NEWADDR } from './constants.js';
import { parseAddressWithPrefix } from './ipv4.js';
import { decodeAddress, encodeAddress, encodeDumpAddresses, type Address } from './messages.js';
import type { NetlinkSocket } from './socket.js';

/** Adds `cidr` (`10.88.0.5/16`) to link `index`. An existing identical address → NetlinkError `EEXIST`. */
export function addAddress(sock: NetlinkSocket, index: number, cidr: string): void {
  sock.request(encodeAddress(RTM_NEWADDR, { index, ...parseAddressWithPrefix(cidr) }), `${cidr} ifindex ${index}`);
}

/** Removes `cidr` from link `index`. A missing address → NetlinkError `EADDRNOTAVAIL`. */
export function deleteAddress(sock: NetlinkSocket, index: number, cidr: string): void {
  sock.request(encodeAddress(RTM_DELADDR, { index, ...parseAddressWithPrefix(cidr) }), `${cidr} ifindex ${index}`);
}

/** Lists the IPv4 addresses in the socket's netns, optionally only those of link `index`. */
export function listAddresses(sock: NetlinkSocket, index?: number): Address[] {
  const all = sock.request(encodeDumpAddresses(), 'dump').map(decodeAddress);
  return index === undefined ? all : all.filter((a) => a.index === index);
}
