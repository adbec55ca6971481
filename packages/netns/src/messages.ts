// messages.ts — encoders for the rtnetlink requests ctr sends (link, address, route) and decoders for the
// kernel's replies. Byte layouts follow iproute2 6.1 exactly (attribute order, IFLA_INFO_KIND without NUL,
// nested attributes without NLA_F_NESTED), so the unit tests can compare against captured `ip` traffic.
// Sequence numbers are a parameter; NetlinkSocket stamps its own before sending. Pure; no I/O.
// See: rtnetlink(7), ip-link(8), ip-address(8), ip-route(8).
import {
  attrMap,
  attrNested,
  attrString,
  attrU32,
  decodeIfAddrMsg,
  decodeIfInfoMsg,
  decodeRtMsg,
  encodeAttr,
  encodeIfAddrMsg,
  encodeIfInfoMsg,
  encodeMessage,
  encodeRtMsg,
  readString,
  type NlMessage,
} from './codec.js';
import {
  AF_INET,
  IFA_ADDRESS,
  IFA_LABEL,
  IFA_LOCAL,
  IFADDRMSG_LEN,
  IFF_UP,
  IFINFOMSG_LEN,
  IFLA_ADDRESS,
  IFLA_EXT_MASK,
  IFLA_IFNAME,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_LINK,
  IFLA_LINKINFO,
  IFLA_MASTER,
  IFLA_MTU,
  IFLA_NET_NS_FD,
  IFLA_NET_NS_PID,
  IFLA_NUM_RX_QUEUES,
  IFLA_NUM_TX_QUEUES,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_ECHO,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RTA_DST,
  RTA_GATEWAY,
  RTA_OIF,
  RTA_PREFSRC,
  RTA_PRIORITY,
  RTA_TABLE,
  RTEXT_FILTER_SKIP_STATS,
  RTEXT_FILTER_VF,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELROUTE,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  RTMSG_LEN,
  RTN_UNICAST,
  RTN_UNSPEC,
  RTPROT_BOOT,
  RTPROT_UNSPEC,
  VETH_INFO_PEER,
} from './constants.js';
import { formatIpv4, ipv4FromBytes, ipv4ToBytes } from './ipv4.js';
import { formatMac, parseMac } from './mac.js';

const CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
const MODIFY = NLM_F_REQUEST | NLM_F_ACK;
const DUMP = NLM_F_REQUEST | NLM_F_DUMP;
/** Leave out VF info and statistics: ctr never reads them and they triple the reply size. */
const EXT_MASK = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS;

/** Which netns a new link (or veth peer) is created in: a PID, or an open `/proc/PID/ns/net` fd. */
export type NetnsTarget = { pid: number } | { fd: number };

/** A link to address by index, or (index 0) by name: the kernel resolves IFLA_IFNAME in the socket's netns. */
export type LinkRef = { index: number } | { name: string };

function netnsAttr(target: NetnsTarget): Buffer {
  return 'pid' in target ? attrU32(IFLA_NET_NS_PID, target.pid) : attrU32(IFLA_NET_NS_FD, target.fd);
}

function kindAttr(kind: string): Buffer {
  // iproute2 sends the kind without its NUL; the kernel compares it with nla_strcmp, which accepts both.
  return encodeAttr(IFLA_INFO_KIND, Buffer.from(kind, 'utf8'));
}

function refParts(ref: LinkRef, ifinfo: { flags?: number; change?: number } = {}): Buffer[] {
  return 'index' in ref
    ? [encodeIfInfoMsg({ index: ref.index, ...ifinfo })]
    : [encodeIfInfoMsg(ifinfo), attrString(IFLA_IFNAME, ref.name)];
}

/**
 * RTM_NEWLINK creating a veth pair whose peer is created directly in `peerNetns` (no move afterwards):
 * VETH_INFO_PEER carries a complete ifinfomsg followed by the peer's own attributes (linux/veth.h).
 * `master` and `up` apply to the local end in the same request. The peer cannot be created up: the kernel
 * opens it before the pair is linked and answers ENOTCONN, so it is set up afterwards from its own netns.
 * `queues` sets IFLA_NUM_TX_QUEUES/IFLA_NUM_RX_QUEUES of both ends: without them a veth is allocated with one
 * queue per possible CPU and then cut to one real queue, which (with the device registered) waits for an
 * expedited RCU grace period, twice per pair (veth_init_queues → netif_set_real_num_tx_queues →
 * synchronize_net). `echo` (NLM_F_ECHO) makes the kernel (≥ 6.3) answer with the new local end (ifindex,
 * and IFLA_LINK: the peer's ifindex in its netns), which saves a lookup; older kernels just ACK.
 * `peerMac` ("02:42:0a:58:00:05") is the peer's hardware address (IFLA_ADDRESS); without it the kernel picks a
 * random one.
 */
export function encodeNewVeth(
  opts: {
    name: string; peerName: string; peerNetns?: NetnsTarget; peerMac?: string; master?: number; up?: boolean; queues?: number;
    echo?: boolean;
  },
  seq = 0,
): Buffer {
  const queues = opts.queues === undefined ? [] : [attrU32(IFLA_NUM_TX_QUEUES, opts.queues), attrU32(IFLA_NUM_RX_QUEUES, opts.queues)];
  const peer = [encodeIfInfoMsg(), ...(opts.peerMac ? [encodeAttr(IFLA_ADDRESS, parseMac(opts.peerMac))] : []), ...queues];
  if (opts.peerNetns) peer.push(netnsAttr(opts.peerNetns));
  peer.push(attrString(IFLA_IFNAME, opts.peerName));
  const parts = [encodeIfInfoMsg(opts.up ? { flags: IFF_UP, change: IFF_UP } : {}), ...queues];
  if (opts.master !== undefined) parts.push(attrU32(IFLA_MASTER, opts.master));
  parts.push(
    attrString(IFLA_IFNAME, opts.name),
    attrNested(IFLA_LINKINFO, [kindAttr('veth'), attrNested(IFLA_INFO_DATA, [attrNested(VETH_INFO_PEER, peer)])]),
  );
  return encodeMessage(RTM_NEWLINK, opts.echo ? CREATE | NLM_F_ECHO : CREATE, seq, parts);
}

/** RTM_NEWLINK creating a bridge with kernel defaults (STP off, forward delay irrelevant without STP). */
export function encodeNewBridge(name: string, seq = 0): Buffer {
  return encodeMessage(RTM_NEWLINK, CREATE, seq, [
    encodeIfInfoMsg(),
    attrString(IFLA_IFNAME, name),
    attrNested(IFLA_LINKINFO, [kindAttr('bridge')]),
  ]);
}

/**
 * RTM_NEWLINK changing an existing link: admin state (`up`) and/or bridge port membership (`master`,
 * 0 = release). Both in one message saves a round trip when enslaving a new veth.
 */
export function encodeSetLink(ref: LinkRef, change: { up?: boolean; master?: number }, seq = 0): Buffer {
  const ifinfo = change.up === undefined ? {} : { flags: change.up ? IFF_UP : 0, change: IFF_UP };
  const parts = refParts(ref, ifinfo);
  if (change.master !== undefined) parts.push(attrU32(IFLA_MASTER, change.master));
  return encodeMessage(RTM_NEWLINK, MODIFY, seq, parts);
}

/** RTM_DELLINK; deleting either end of a veth pair deletes both. */
export function encodeDelLink(ref: LinkRef, seq = 0): Buffer {
  return encodeMessage(RTM_DELLINK, MODIFY, seq, refParts(ref));
}

/** RTM_GETLINK for one link by name; the reply is a single RTM_NEWLINK (or ENODEV). */
export function encodeGetLink(name: string, seq = 0): Buffer {
  return encodeMessage(RTM_GETLINK, NLM_F_REQUEST, seq, [
    encodeIfInfoMsg(),
    attrU32(IFLA_EXT_MASK, EXT_MASK),
    attrString(IFLA_IFNAME, name),
  ]);
}

/** RTM_GETLINK dump of every link in the socket's netns. */
export function encodeDumpLinks(seq = 0): Buffer {
  return encodeMessage(RTM_GETLINK, DUMP, seq, [encodeIfInfoMsg(), attrU32(IFLA_EXT_MASK, EXT_MASK)]);
}

export interface AddressSpec {
  index: number;
  /** IPv4 address as an unsigned 32-bit number. */
  address: number;
  prefixLen: number;
}

/** RTM_NEWADDR / RTM_DELADDR for an IPv4 address; IFA_LOCAL and IFA_ADDRESS are equal except on p2p links. */
export function encodeAddress(type: typeof RTM_NEWADDR | typeof RTM_DELADDR, spec: AddressSpec, seq = 0): Buffer {
  const bytes = ipv4ToBytes(spec.address);
  return encodeMessage(type, type === RTM_NEWADDR ? CREATE : MODIFY, seq, [
    encodeIfAddrMsg({ family: AF_INET, prefixLen: spec.prefixLen, flags: 0, scope: RT_SCOPE_UNIVERSE, index: spec.index }),
    encodeAttr(IFA_LOCAL, bytes),
    encodeAttr(IFA_ADDRESS, bytes),
  ]);
}

/** RTM_GETADDR dump of the IPv4 addresses in the socket's netns. */
export function encodeDumpAddresses(seq = 0): Buffer {
  return encodeMessage(RTM_GETADDR, DUMP, seq, [
    encodeIfAddrMsg({ family: AF_INET, prefixLen: 0, flags: 0, scope: 0, index: 0 }),
  ]);
}

export interface RouteSpec {
  /** Destination; omitted (or prefixLen 0) for the default route. */
  dst?: { address: number; prefixLen: number };
  gateway?: number;
  oif: number;
}

/**
 * RTM_NEWROUTE / RTM_DELROUTE in the main table. A route without a gateway is on-link (scope link), as
 * `ip route add … dev X` does. Deletion leaves protocol/scope/type as wildcards (RTPROT_UNSPEC,
 * RT_SCOPE_NOWHERE, RTN_UNSPEC), again as iproute2 does, so it matches whatever created the route.
 */
export function encodeRoute(type: typeof RTM_NEWROUTE | typeof RTM_DELROUTE, spec: RouteSpec, seq = 0): Buffer {
  const adding = type === RTM_NEWROUTE;
  const dstLen = spec.dst?.prefixLen ?? 0;
  const parts = [
    encodeRtMsg({
      family: AF_INET,
      dstLen,
      srcLen: 0,
      tos: 0,
      table: RT_TABLE_MAIN,
      protocol: adding ? RTPROT_BOOT : RTPROT_UNSPEC,
      scope: adding ? (spec.gateway === undefined ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE) : RT_SCOPE_NOWHERE,
      type: adding ? RTN_UNICAST : RTN_UNSPEC,
      flags: 0,
    }),
  ];
  if (spec.dst && dstLen > 0) parts.push(encodeAttr(RTA_DST, ipv4ToBytes(spec.dst.address)));
  if (spec.gateway !== undefined) parts.push(encodeAttr(RTA_GATEWAY, ipv4ToBytes(spec.gateway)));
  parts.push(attrU32(RTA_OIF, spec.oif));
  return encodeMessage(type, adding ? CREATE : MODIFY, seq, parts);
}

/**
 * RTM_GETROUTE dump of the IPv4 main table. With NETLINK_GET_STRICT_CHK the kernel filters on rtm_table
 * itself; the decoder's caller still filters, for kernels without strict checking.
 */
export function encodeDumpRoutes(seq = 0): Buffer {
  return encodeMessage(RTM_GETROUTE, DUMP, seq, [
    encodeRtMsg({ family: AF_INET, dstLen: 0, srcLen: 0, tos: 0, table: RT_TABLE_MAIN, protocol: 0, scope: 0, type: 0, flags: 0 }),
  ]);
}

/** A network interface as the kernel reports it in RTM_NEWLINK. */
export interface Link {
  index: number;
  name: string;
  /** IFF_* flags (netdevice(7)). */
  flags: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  mtu?: number;
  /** Bridge (or bond) this link is a port of. */
  master?: number;
  /** IFLA_INFO_KIND: `veth`, `bridge`, …; absent for physical devices and `lo`. */
  kind?: string;
  /** Hardware address, `aa:bb:cc:dd:ee:ff`. */
  mac?: string;
  /** IFLA_LINK: for a veth, the ifindex of its peer (in the peer's netns). */
  link?: number;
}

/** Decodes an RTM_NEWLINK message (a GETLINK reply or a dump entry). */
export function decodeLink(msg: NlMessage): Link {
  const info = decodeIfInfoMsg(msg.payload);
  const attrs = attrMap(msg.payload, IFINFOMSG_LEN);
  const link: Link = {
    index: info.index,
    name: readString(attrs.get(IFLA_IFNAME) ?? Buffer.alloc(0)),
    flags: info.flags,
    up: (info.flags & IFF_UP) !== 0,
  };
  const mtu = attrs.get(IFLA_MTU);
  if (mtu) link.mtu = mtu.readUInt32LE(0);
  const master = attrs.get(IFLA_MASTER);
  if (master) link.master = master.readUInt32LE(0);
  const peer = attrs.get(IFLA_LINK);
  if (peer) link.link = peer.readUInt32LE(0);
  const mac = attrs.get(IFLA_ADDRESS);
  if (mac) link.mac = formatMac(mac);
  const linkinfo = attrs.get(IFLA_LINKINFO);
  const kind = linkinfo && attrMap(linkinfo).get(IFLA_INFO_KIND);
  if (kind) link.kind = readString(kind);
  return link;
}

/** An IPv4 address assigned to a link. */
export interface Address {
  index: number;
  /** Dotted quad (IFA_LOCAL, which differs from IFA_ADDRESS only on point-to-point links). */
  address: string;
  prefixLen: number;
  scope: number;
  label?: string;
}

/** Decodes an RTM_NEWADDR message. */
export function decodeAddress(msg: NlMessage): Address {
  const head = decodeIfAddrMsg(msg.payload);
  const attrs = attrMap(msg.payload, IFADDRMSG_LEN);
  const bytes = attrs.get(IFA_LOCAL) ?? attrs.get(IFA_ADDRESS);
  const address: Address = {
    index: head.index,
    address: bytes ? formatIpv4(ipv4FromBytes(bytes)) : '',
    prefixLen: head.prefixLen,
    scope: head.scope,
  };
  const label = attrs.get(IFA_LABEL);
  if (label) address.label = readString(label);
  return address;
}

/** An IPv4 route. */
export interface Route {
  /** Destination as `a.b.c.d/n`; `0.0.0.0/0` for the default route. */
  dst: string;
  gateway?: string;
  oif?: number;
  /** RTA_TABLE when present (tables ≥ 256 only fit there), else rtm_table. */
  table: number;
  protocol: number;
  scope: number;
  type: number;
  priority?: number;
  prefsrc?: string;
}

/** Decodes an RTM_NEWROUTE message. */
export function decodeRoute(msg: NlMessage): Route {
  const head = decodeRtMsg(msg.payload);
  const attrs = attrMap(msg.payload, RTMSG_LEN);
  const dst = attrs.get(RTA_DST);
  const table = attrs.get(RTA_TABLE);
  const route: Route = {
    dst: `${dst ? formatIpv4(ipv4FromBytes(dst)) : '0.0.0.0'}/${head.dstLen}`,
    table: table ? table.readUInt32LE(0) : head.table,
    protocol: head.protocol,
    scope: head.scope,
    type: head.type,
  };
  const gateway = attrs.get(RTA_GATEWAY);
  if (gateway) route.gateway = formatIpv4(ipv4FromBytes(gateway));
  const oif = attrs.get(RTA_OIF);
  if (oif) route.oif = oif.readUInt32LE(0);
  const priority = attrs.get(RTA_PRIORITY);
  if (priority) route.priority = priority.readUInt32LE(0);
  const prefsrc = attrs.get(RTA_PREFSRC);
  if (prefsrc) route.prefsrc = formatIpv4(ipv4FromBytes(prefsrc));
  return route;
}
