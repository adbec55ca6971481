// netlink.ts — NETLINK_ROUTE socket primitives. Encoding, sequence numbers and ACK matching are
// @ctr/netns's job; this layer only opens sockets (optionally inside another netns) and moves datagrams.
// See: netlink(7), rtnetlink(7), setns(2).
import { native } from './native.js';

/**
 * Opens a bound NETLINK_ROUTE socket (SOCK_CLOEXEC). With `netnsPath` (e.g. `/proc/PID/ns/net`), the socket
 * is created inside that network namespace: the main thread enters it, creates the socket, and returns.
 */
export function netlinkOpen(netnsPath?: string): number {
  return native.netlinkOpen(netnsPath);
}

/** Sends one request datagram to the kernel. */
export function netlinkSend(fd: number, message: Buffer): void {
  native.netlinkSend(fd, message);
}

/** Receives one datagram (possibly several netlink messages); throws EAGAIN after `timeoutMs`. */
export function netlinkRecv(fd: number, timeoutMs = 5000): Buffer {
  return native.netlinkRecv(fd, timeoutMs);
}

/** Closes an fd handed out by this package. */
export function closeFd(fd: number): void {
  native.close(fd);
}
