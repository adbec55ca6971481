// ipv4.ts — IPv4 addresses and subnets as unsigned 32-bit numbers: parsing, formatting, containment and
// overlap, and the check the runtime runs before using a subnet (a host route elsewhere that overlaps it would
// make container traffic leave through the wrong interface). Pure; no I/O. See: ip(7), RFC 4632.
import { NetnsError } from './errors.js';

/** A parsed CIDR block. Addresses are unsigned 32-bit numbers (host order). */
export interface Subnet {
  /** Network address (host bits cleared). */
  network: number;
  prefixLen: number;
  mask: number;
  /** Highest address of the block. */
  broadcast: number;
}

/** Parses dotted-quad IPv4 (`10.88.0.5`) to an unsigned 32-bit number; throws `EINVAL_IPV4`. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) {
    throw new NetnsError(`invalid IPv4 address '${text}'`, { code: 'EINVAL_IPV4' });
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Formats an unsigned 32-bit number as dotted-quad. */
export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** The 4 network-order bytes the kernel expects in IFA_LOCAL, RTA_GATEWAY, … */
export function ipv4ToBytes(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}

/** Reads 4 network-order bytes as an unsigned 32-bit number. */
export function ipv4FromBytes(bytes: Buffer): number {
  return bytes.readUInt32BE(0);
}

function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** Builds a subnet from any address inside it and a prefix length. */
export function subnetOf(address: number, prefixLen: number): Subnet {
  const mask = maskOf(prefixLen);
  const network = (address & mask) >>> 0;
  return { network, prefixLen, mask, broadcast: (network | ~mask) >>> 0 };
}

/** Splits `a.b.c.d/n` into address and prefix length; throws `EINVAL_CIDR`. */
export function parseAddressWithPrefix(text: string): { address: number; prefixLen: number } {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const prefixLen = match ? Number(match[2]) : NaN;
  if (!match || prefixLen > 32) {
    throw new NetnsError(`invalid CIDR '${text}': expected a.b.c.d/len with len 0..32`, { code: 'EINVAL_CIDR' });
  }
  return { address: parseIpv4(match[1] ?? ''), prefixLen };
}

/** Parses a subnet in CIDR notation; host bits must be zero (`10.88.0.0/16`, not `10.88.0.1/16`). */
export function parseCidr(text: string): Subnet {
  const { address, prefixLen } = parseAddressWithPrefix(text);
  const subnet = subnetOf(address, prefixLen);
  if (subnet.network !== address) {
    throw new NetnsError(`invalid subnet '${text}': host bits set (network is ${formatSubnet(subnet)})`, {
      code: 'EINVAL_CIDR',
    });
  }
  return subnet;
}

/** Formats a subnet as `a.b.c.d/n`. */
export function formatSubnet(subnet: Subnet): string {
  return `${formatIpv4(subnet.network)}/${subnet.prefixLen}`;
}

/** True when `address` lies inside `subnet` (network and broadcast included). */
export function subnetContains(subnet: Subnet, address: number): boolean {
  return ((address & subnet.mask) >>> 0) === subnet.network;
}

/** True when two blocks share at least one address (CIDR blocks either nest or are disjoint). */
export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  const mask = a.prefixLen < b.prefixLen ? a.mask : b.mask;
  return ((a.network & mask) >>> 0) === ((b.network & mask) >>> 0);
}

/** The fields of a route that matter for an overlap check (a subset of `Route` from routes.ts). */
export interface RouteLike {
  /** Destination in CIDR notation; `0.0.0.0/0` for a default route. */
  dst: string;
  oif?: number;
}

/**
 * Returns the routes whose destination overlaps `subnet`, ignoring default routes (they overlap everything
 * by definition and never make a subnet ambiguous) and routes through `exceptIfindex` (the runtime's own
 * bridge). A non-empty result means the subnet is already reachable some other way on this host.
 */
export function findOverlappingRoutes<R extends RouteLike>(routes: R[], subnet: Subnet, exceptIfindex?: number): R[] {
  return routes.filter((route) => {
    const { address, prefixLen } = parseAddressWithPrefix(route.dst);
    if (prefixLen === 0) return false;
    if (exceptIfindex !== undefined && route.oif === exceptIfindex) return false;
    return subnetsOverlap(subnetOf(address, prefixLen), subnet);
  });
}
