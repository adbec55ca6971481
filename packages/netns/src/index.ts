// @ctr/netns — container networking over rtnetlink from TypeScript: veth pairs, bridges, addresses, routes,
// and file-based IPv4 address management. See README.md for the API and an example.
export { NetlinkSocket } from './socket.js';
export {
  createBridge,
  createVeth,
  deleteLink,
  ensureBridge,
  findLink,
  getLink,
  listLinks,
  setLink,
  setLinkUp,
  setMaster,
  validateIfname,
  type PeerNetns,
} from './links.js';
export { addAddress, deleteAddress, listAddresses } from './addresses.js';
export { addRoute, deleteRoute, listRoutes, type RouteOptions } from './routes.js';
export { connectContainer, disconnectContainer, type ConnectOptions, type ConnectResult } from './connect.js';
export { Ipam, processStartTime, type Allocation, type IpamOptions, type Lease } from './ipam.js';
export {
  findOverlappingRoutes,
  formatIpv4,
  formatSubnet,
  parseCidr,
  parseIpv4,
  subnetContains,
  subnetsOverlap,
  type RouteLike,
  type Subnet,
} from './ipv4.js';
export { containerMac } from './mac.js';
export type { Address, Link, Route } from './messages.js';
export { IpamError, NetlinkError, NetnsError, isNetnsError } from './errors.js';
