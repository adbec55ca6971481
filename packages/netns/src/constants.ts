// constants.ts — the rtnetlink numbers this package speaks, named exactly as in the kernel's uapi headers
// (linux-libc-dev 6.1: linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h, linux/veth.h,
// linux/if.h, linux/socket.h). These are stable kernel ABI: values never change once released.
// See: netlink(7), rtnetlink(7).

// linux/socket.h
export const AF_INET = 2;

// linux/netlink.h — message types and flags
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
/** Asks the kernel to send the requester a copy of the notification its change caused (the new object). */
export const NLM_F_ECHO = 0x8;
/** Set by the kernel on a dump whose contents changed while it was being read. */
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** On NLMSG_ERROR: the request copy is truncated to its header. */
export const NLM_F_CAPPED = 0x100;
/** On NLMSG_ERROR: extended-ACK TLVs follow the request copy. */
export const NLM_F_ACK_TLVS = 0x200;

export const NLA_F_NESTED = 0x8000;
export const NLA_TYPE_MASK = 0x3fff;

/** enum nlmsgerr_attrs: the human-readable reason the kernel attaches when NETLINK_EXT_ACK is on. */
export const NLMSGERR_ATTR_MSG = 1;

export const NLMSG_HDRLEN = 16;

// linux/rtnetlink.h — message types
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;

/** Request type → kernel name, for error messages. */
export const RTM_NAMES: Readonly<Record<number, string>> = {
  [RTM_NEWLINK]: 'RTM_NEWLINK',
  [RTM_DELLINK]: 'RTM_DELLINK',
  [RTM_GETLINK]: 'RTM_GETLINK',
  [RTM_NEWADDR]: 'RTM_NEWADDR',
  [RTM_DELADDR]: 'RTM_DELADDR',
  [RTM_GETADDR]: 'RTM_GETADDR',
  [RTM_NEWROUTE]: 'RTM_NEWROUTE',
  [RTM_DELROUTE]: 'RTM_DELROUTE',
  [RTM_GETROUTE]: 'RTM_GETROUTE',
};

// linux/rtnetlink.h — routing tables, protocols, scopes, types, attributes
export const RT_TABLE_MAIN = 254;
export const RTPROT_UNSPEC = 0;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;

export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7;
export const RTA_TABLE = 15;

/** IFLA_EXT_MASK bits: skip VF info and statistics so a single-link reply stays small. */
export const RTEXT_FILTER_VF = 1 << 0;
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;

// linux/if_link.h — link attributes
export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_LINKINFO = 18;
export const IFLA_NET_NS_PID = 19;
export const IFLA_NET_NS_FD = 28;
export const IFLA_EXT_MASK = 29;
export const IFLA_NUM_TX_QUEUES = 31;
export const IFLA_NUM_RX_QUEUES = 32;

export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;

// linux/veth.h
export const VETH_INFO_PEER = 1;

// linux/if_addr.h — address attributes
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;

// linux/if.h
export const IFF_UP = 0x1;
/** Buffer size for an interface name including its NUL: names are at most 15 bytes. */
export const IFNAMSIZ = 16;

// struct sizes (rtnetlink(7)): ifinfomsg, ifaddrmsg, rtmsg, nlmsgerr without its request copy
export const IFINFOMSG_LEN = 16;
export const IFADDRMSG_LEN = 8;
export const RTMSG_LEN = 12;
