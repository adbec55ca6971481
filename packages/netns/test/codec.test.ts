// Framing: alignment, attributes (incl. nested), header round trips, and NLMSG_ERROR decoding on captured
// kernel NACKs with and without an extended-ACK message. No privileges needed.
import { describe, expect, it } from 'vitest';

import {
  align4,
  attrMap,
  attrNested,
  attrString,
  attrU32,
  decodeAttrs,
  decodeError,
  decodeHeader,
  decodeMessages,
  encodeAttr,
  encodeMessage,
  readString,
} from '../src/codec.js';
import { NLMSG_ERROR, RTM_NEWLINK, RTM_NEWROUTE } from '../src/constants.js';
import { fixture } from './helpers/fixtures.js';

describe('alignment and attributes', () => {
  it('align4 rounds up to 4', () => {
    expect([0, 1, 2, 3, 4, 5, 8, 9].map(align4)).toEqual([0, 4, 4, 4, 4, 8, 8, 12]);
  });
  it('attribute length excludes padding, the buffer includes it', () => {
    const a = attrString(3, 'eth0');
    expect(a.toString('hex')).toBe('09000300' + '6574683000' + '000000');
    expect(encodeAttr(1, Buffer.alloc(0)).toString('hex')).toBe('04000100');
    expect(attrU32(10, 7).toString('hex')).toBe('08000a0007000000');
  });
  it('nested attributes decode back, NLA_F_NESTED masked off', () => {
    const nested = attrNested(18, [attrString(1, 'veth'), attrU32(2, 42)]);
    const flagged = Buffer.from(nested);
    flagged.writeUInt16LE(18 | 0x8000, 2);
    const [outer] = decodeAttrs(flagged);
    expect(outer?.type).toBe(18);
    const inner = attrMap(outer?.value ?? Buffer.alloc(0));
    expect(readString(inner.get(1) ?? Buffer.alloc(0))).toBe('veth');
    expect(inner.get(2)?.readUInt32LE(0)).toBe(42);
  });
  it('a truncated attribute ends the run instead of reading past it', () => {
    const a = Buffer.concat([attrU32(1, 1), Buffer.from([0x20, 0x00, 0x02, 0x00])]);
    expect(decodeAttrs(a).map((x) => x.type)).toEqual([1]);
  });
});

describe('messages', () => {
  it('header round trip and padding of inner parts', () => {
    const msg = encodeMessage(RTM_NEWLINK, 0x605, 0xdeadbeef, [Buffer.from([1, 2, 3])]);
    expect(msg.length).toBe(20);
    expect(decodeHeader(msg)).toEqual({ length: 20, type: RTM_NEWLINK, flags: 0x605, seq: 0xdeadbeef, pid: 0 });
  });
  it('splits a multi-message datagram and rejects an overlong length', () => {
    const a = encodeMessage(1, 0, 1, [Buffer.alloc(3)]);
    const b = encodeMessage(2, 0, 2, []);
    expect(decodeMessages(Buffer.concat([a, b])).map((m) => [m.header.type, m.payload.length])).toEqual([[1, 4], [2, 0]]);
    const bad = Buffer.from(b);
    bad.writeUInt32LE(64, 0);
    expect(() => decodeMessages(bad)).toThrow(/malformed netlink message/);
  });
});

describe('NLMSG_ERROR from the kernel', () => {
  it('EEXIST without ext-ack text carries the request header', () => {
    const [msg] = decodeMessages(fixture('reply_nack_eexist'));
    expect(msg?.header.type).toBe(NLMSG_ERROR);
    const err = decodeError(msg!.payload, msg!.header.flags);
    expect(err.error).toBe(-17);
    expect(err.request.type).toBe(RTM_NEWLINK);
    expect(err.request.seq).toBe(msg!.header.seq);
    expect(err.extAckMessage).toBeUndefined();
  });
  it('ENETUNREACH with the ext-ack message', () => {
    const [msg] = decodeMessages(fixture('reply_nack_extack'));
    const err = decodeError(msg!.payload, msg!.header.flags);
    expect(err.error).toBe(-101);
    expect(err.request.type).toBe(RTM_NEWROUTE);
    expect(err.extAckMessage).toBe('Nexthop has invalid gateway');
  });
});
