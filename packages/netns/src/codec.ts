// codec.ts — pure encoding and decoding of netlink framing: nlmsghdr, the rtnetlink family headers
// (ifinfomsg, ifaddrmsg, rtmsg), route attributes (rtattr, incl. nested) and nlmsgerr. No I/O here.
// Every message and attribute starts on a 4-byte boundary (NLMSG_ALIGNTO = RTA_ALIGNTO = 4); lengths in the
// headers count the unpadded payload, the padding is implied. Host byte order (little-endian on x86_64/arm64).
// See: netlink(7), rtnetlink(7), netlink(3).
import {
  IFADDRMSG_LEN,
  IFINFOMSG_LEN,
  NLA_TYPE_MASK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_MSG,
  RTMSG_LEN,
} from './constants.js';

/** Rounds a length up to the netlink alignment (4 bytes). */
export function align4(length: number): number {
  return (length + 3) & ~3;
}

export interface NlMsgHeader {
  length: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** One decoded netlink message: its header and the payload after it (without trailing padding). */
export interface NlMessage {
  header: NlMsgHeader;
  payload: Buffer;
}

/**
 * Builds a complete message: nlmsghdr followed by the given parts, each padded to 4 bytes.
 * `nlmsg_len` counts the padding of inner parts, as iproute2 does.
 */
export function encodeMessage(type: number, flags: number, seq: number, parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts.map(padded));
  const header = Buffer.alloc(NLMSG_HDRLEN);
  header.writeUInt32LE(NLMSG_HDRLEN + body.length, 0);
  header.writeUInt16LE(type, 4);
  header.writeUInt16LE(flags, 6);
  header.writeUInt32LE(seq >>> 0, 8);
  header.writeUInt32LE(0, 12);
  return Buffer.concat([header, body]);
}

function padded(part: Buffer): Buffer {
  const extra = align4(part.length) - part.length;
  return extra === 0 ? part : Buffer.concat([part, Buffer.alloc(extra)]);
}

/** Decodes the 16-byte nlmsghdr at `offset`. */
export function decodeHeader(buf: Buffer, offset = 0): NlMsgHeader {
  return {
    length: buf.readUInt32LE(offset),
    type: buf.readUInt16LE(offset + 4),
    flags: buf.readUInt16LE(offset + 6),
    seq: buf.readUInt32LE(offset + 8),
    pid: buf.readUInt32LE(offset + 12),
  };
}

/** Splits one received datagram into its messages. Throws on a length that runs past the datagram. */
export function decodeMessages(buf: Buffer): NlMessage[] {
  const out: NlMessage[] = [];
  let offset = 0;
  while (offset + NLMSG_HDRLEN <= buf.length) {
    const header = decodeHeader(buf, offset);
    if (header.length < NLMSG_HDRLEN || offset + header.length > buf.length) {
      throw new RangeError(`malformed netlink message at offset ${offset}: nlmsg_len ${header.length}`);
    }
    out.push({ header, payload: buf.subarray(offset + NLMSG_HDRLEN, offset + header.length) });
    offset += align4(header.length);
  }
  return out;
}

/** One route attribute: type with NLA_F_NESTED / NLA_F_NET_BYTEORDER masked off, and its payload. */
export interface Attr {
  type: number;
  value: Buffer;
}

/** Encodes one rtattr: 4-byte header (len includes it, excludes padding) + payload + padding. */
export function encodeAttr(type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(align4(4 + value.length));
  out.writeUInt16LE(4 + value.length, 0);
  out.writeUInt16LE(type, 2);
  value.copy(out, 4);
  return out;
}

/** u32 attribute in host byte order (indexes, pids, fds, masks). */
export function attrU32(type: number, value: number): Buffer {
  const v = Buffer.alloc(4);
  v.writeUInt32LE(value >>> 0, 0);
  return encodeAttr(type, v);
}

/** NUL-terminated string attribute (IFLA_IFNAME: the kernel reads it with nla_strscpy). */
export function attrString(type: number, value: string): Buffer {
  return encodeAttr(type, Buffer.from(`${value}\0`, 'utf8'));
}

/**
 * Nested attribute holding already-encoded attributes. Written without NLA_F_NESTED, as iproute2 does for
 * IFLA_LINKINFO; the kernel's policy knows these types are nested either way.
 */
export function attrNested(type: number, children: Buffer[]): Buffer {
  return encodeAttr(type, Buffer.concat(children));
}

/** Decodes a run of attributes (e.g. after a family header, or a nested attribute's payload). */
export function decodeAttrs(buf: Buffer, offset = 0): Attr[] {
  const out: Attr[] = [];
  while (offset + 4 <= buf.length) {
    const len = buf.readUInt16LE(offset);
    if (len < 4 || offset + len > buf.length) break;
    out.push({ type: buf.readUInt16LE(offset + 2) & NLA_TYPE_MASK, value: buf.subarray(offset + 4, offset + len) });
    offset += align4(len);
  }
  return out;
}

/** Attributes keyed by type; the last occurrence wins (rtnetlink sends each type at most once). */
export function attrMap(buf: Buffer, offset = 0): Map<number, Buffer> {
  return new Map(decodeAttrs(buf, offset).map((a) => [a.type, a.value]));
}

/** Reads a NUL-terminated string attribute payload. */
export function readString(value: Buffer): string {
  const nul = value.indexOf(0);
  return value.toString('utf8', 0, nul === -1 ? value.length : nul);
}

/** struct ifinfomsg (16 bytes). */
export interface IfInfoMsg {
  family: number;
  type: number;
  index: number;
  flags: number;
  change: number;
}

export function encodeIfInfoMsg(m: Partial<IfInfoMsg> = {}): Buffer {
  const out = Buffer.alloc(IFINFOMSG_LEN);
  out.writeUInt8(m.family ?? 0, 0);
  out.writeUInt16LE(m.type ?? 0, 2);
  out.writeInt32LE(m.index ?? 0, 4);
  out.writeUInt32LE((m.flags ?? 0) >>> 0, 8);
  out.writeUInt32LE((m.change ?? 0) >>> 0, 12);
  return out;
}

export function decodeIfInfoMsg(buf: Buffer): IfInfoMsg {
  return {
    family: buf.readUInt8(0),
    type: buf.readUInt16LE(2),
    index: buf.readInt32LE(4),
    flags: buf.readUInt32LE(8),
    change: buf.readUInt32LE(12),
  };
}

/** struct ifaddrmsg (8 bytes). */
export interface IfAddrMsg {
  family: number;
  prefixLen: number;
  flags: number;
  scope: number;
  index: number;
}

export function encodeIfAddrMsg(m: IfAddrMsg): Buffer {
  const out = Buffer.alloc(IFADDRMSG_LEN);
  out.writeUInt8(m.family, 0);
  out.writeUInt8(m.prefixLen, 1);
  out.writeUInt8(m.flags, 2);
  out.writeUInt8(m.scope, 3);
  out.writeUInt32LE(m.index, 4);
  return out;
}

export function decodeIfAddrMsg(buf: Buffer): IfAddrMsg {
  return {
    family: buf.readUInt8(0),
    prefixLen: buf.readUInt8(1),
    flags: buf.readUInt8(2),
    scope: buf.readUInt8(3),
    index: buf.readUInt32LE(4),
  };
}

/** struct rtmsg (12 bytes). */
export interface RtMsg {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}

export function encodeRtMsg(m: RtMsg): Buffer {
  const out = Buffer.alloc(RTMSG_LEN);
  out.writeUInt8(m.family, 0);
  out.writeUInt8(m.dstLen, 1);
  out.writeUInt8(m.srcLen, 2);
  out.writeUInt8(m.tos, 3);
  out.writeUInt8(m.table, 4);
  out.writeUInt8(m.protocol, 5);
  out.writeUInt8(m.scope, 6);
  out.writeUInt8(m.type, 7);
  out.writeUInt32LE(m.flags, 8);
  return out;
}

export function decodeRtMsg(buf: Buffer): RtMsg {
  return {
    family: buf.readUInt8(0),
    dstLen: buf.readUInt8(1),
    srcLen: buf.readUInt8(2),
    tos: buf.readUInt8(3),
    table: buf.readUInt8(4),
    protocol: buf.readUInt8(5),
    scope: buf.readUInt8(6),
    type: buf.readUInt8(7),
    flags: buf.readUInt32LE(8),
  };
}

/** struct nlmsgerr plus the extended ACK message, if the kernel attached one. */
export interface NlMsgErr {
  /** 0 for an ACK, else a negative errno. */
  error: number;
  /** Header of the request this answers. */
  request: NlMsgHeader;
  extAckMessage?: string;
}

/**
 * Decodes an NLMSG_ERROR payload. `flags` are the NLMSG_ERROR message's own flags: NLM_F_CAPPED says the
 * request copy is only its header, NLM_F_ACK_TLVS says ext-ack attributes follow the copy.
 */
export function decodeError(payload: Buffer, flags: number): NlMsgErr {
  const error = payload.readInt32LE(0);
  const request = decodeHeader(payload, 4);
  const result: NlMsgErr = { error, request };
  if (flags & NLM_F_ACK_TLVS) {
    const tlvOffset = 4 + (flags & NLM_F_CAPPED ? NLMSG_HDRLEN : align4(request.length));
    const msg = attrMap(payload, tlvOffset).get(NLMSGERR_ATTR_MSG);
    if (msg) result.extAckMessage = readString(msg);
  }
  return result;
}
