// routes.ts — IPv4 routes in the main table over a NetlinkSocket: the container's default route via the
// bridge, on-link routes to a subnet through a device, deletion and listing. See: rtnetlink(7), ip-route(8).
import { RT_TABLE_MAIN, RTM_DELROUTE, RTM_NEWROUTE } from './constants.js';
import { parseAddressWithPrefix, parseIpv4 } from './ipv4.js';
import { decodeRoute, encodeDumpRoutes, encodeRoute, type Route, type RouteSpec } from './messages.js';
import type { NetlinkSocket } from './socket.js';

/** A route to add or delete: `dst` in CIDR (omit for the default route), optional `gateway`, output link. */
export interface RouteOptions {
  dst?: string;
  gateway?: string;
  oif: number;
}

function toSpec(opts: RouteOptions): RouteSpec {
  const spec: RouteSpec = { oif: opts.oif };
  if (opts.dst !== undefined) spec.dst = parseAddressWithPrefix(opts.dst);
  if (opts.gateway !== undefined) spec.gateway = parseIpv4(opts.gateway);
  return spec;
}

function describe(opts: RouteOptions): string {
  return `${opts.dst ?? 'default'}${opts.gateway ? ` via ${opts.gateway}` : ''} ifindex ${opts.oif}`;
}

/**
 * Adds a route. The gateway must be reachable on-link through `oif` (an address in its subnet must exist
 * there), else the kernel answers ENETUNREACH ("Nexthop has invalid gateway"). Existing route → `EEXIST`.
 */
export function addRoute(sock: NetlinkSocket, opts: RouteOptions): void {
  sock.request(encodeRoute(RTM_NEWROUTE, toSpec(opts)), describe(opts));
}

/** Deletes a route; a missing one → NetlinkError `ESRCH`. */
export function deleteRoute(sock: NetlinkSocket, opts: RouteOptions): void {
  sock.request(encodeRoute(RTM_DELROUTE, toSpec(opts)), describe(opts));
}

/** Lists the IPv4 routes of the main table (incl. the kernel's prefix routes). */
export function listRoutes(sock: NetlinkSocket): Route[] {
  return sock
    .request(encodeDumpRoutes(), 'dump')
    .map(decodeRoute)
    .filter((r) => r.table === RT_TABLE_MAIN);
}
