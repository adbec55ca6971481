// mac.ts — Ethernet hardware addresses: the text form iproute2 prints ("02:42:0a:58:00:05"), and the MAC a
// container's eth0 gets from its IPv4 address. An address goes to a new container as soon as its last holder
// ended, while the host and every container that talked to that holder keep its neighbour (ARP) entry:
// REACHABLE for 15-45 s, then 5 s of DELAY before a probe, and the kernel flushes a bridge's entries only when
// it loses carrier. With a random MAC per veth, their frames went to a MAC no port had any more and their
// connections timed out; with the MAC fixed by the address (as docker does), the kept entry stays right. The
// bridge cannot send that MAC to the old port either: a lease is free only once its veth left /sys/class/net
// (ipam.ts), which the kernel does after the bridge dropped the port and its forwarding entries
// (unregister_netdevice: NETDEV_UNREGISTER, then the kobject).
// See: arp(7), veth(4).
import { NetnsError } from './errors.js';
import { ipv4ToBytes, parseIpv4 } from './ipv4.js';

/** "02:42:0a:58:00:05" → its 6 bytes; throws `EINVAL_MAC`. */
export function parseMac(text: string): Buffer {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text)) {
    throw new NetnsError(`invalid MAC address '${text}': expected six hex bytes such as 02:42:0a:58:00:05`, { code: 'EINVAL_MAC' });
  }
  return Buffer.from(text.replaceAll(':', ''), 'hex');
}

/** Hardware address bytes as iproute2 prints them, lower-case hex joined by ':'. */
export function formatMac(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * The MAC of the container holding IPv4 `address` (dotted or as a number): 02:42 (locally administered,
 * unicast) and the address's four bytes, 10.88.0.5 → 02:42:0a:58:00:05. Two live containers never share an
 * address on one bridge (ipam.ts), so never a MAC either.
 */
export function containerMac(address: string | number): string {
  const value = typeof address === 'number' ? address : parseIpv4(address);
  return formatMac(Buffer.concat([Buffer.from([0x02, 0x42]), ipv4ToBytes(value)]));
}
