// Request encoders against iproute2's own bytes (captured with strace, see each fixture's header) and the
// hand-built dump requests; decoders against captured kernel replies. No privileges needed.
import { describe, expect, it } from 'vitest';

import { decodeMessages } from '../src/codec.js';
import {
  NLM_F_ECHO,
  NLMSG_DONE,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RTM_DELADDR,
  RTM_DELROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  RTN_UNICAST,
  RTPROT_BOOT,
  RTPROT_KERNEL,
} from '../src/constants.js';
import { parseIpv4 } from '../src/ipv4.js';
import {
  decodeAddress,
  decodeLink,
  decodeRoute,
  encodeAddress,
  encodeDelLink,
  encodeDumpAddresses,
  encodeDumpLinks,
  encodeDumpRoutes,
  encodeGetLink,
  encodeNewBridge,
  encodeNewVeth,
  encodeRoute,
  encodeSetLink,
} from '../src/messages.js';
import { fixture, seqOf } from './helpers/fixtures.js';

function golden(name: string, encode: (seq: number) => Buffer): void {
  const expected = fixture(name);
  expect(encode(seqOf(expected)).toString('hex')).toBe(expected.toString('hex'));
}

describe('request encoders match captured iproute2 messages byte for byte', () => {
  it('veth with the peer created in a netns by pid', () => {
    golden('rtm_newlink_veth_peer_pid', (seq) =>
      encodeNewVeth({ name: 'ctrgv0', peerName: 'eth0', peerNetns: { pid: 5314 } }, seq));
  });
  it('veth with the peer created in a netns by fd', () => {
    golden('rtm_newlink_veth_peer_fd', (seq) =>
      encodeNewVeth({ name: 'ctrgv1', peerName: 'eth1', peerNetns: { fd: 4 } }, seq));
  });
  it('veth created up and enslaved in the same request', () => {
    golden('rtm_newlink_veth_master_up', (seq) =>
      encodeNewVeth({ name: 'ctrgv3', peerName: 'eth3', peerNetns: { pid: 15186 }, master: 180, up: true }, seq));
  });
  it('veth with one queue per end (no queue cut and its RCU wait in the kernel)', () => {
    golden('rtm_newlink_veth_queues', (seq) =>
      encodeNewVeth({ name: 'ctrgv4', peerName: 'eth4', peerNetns: { fd: 5 }, master: 17625, up: true, queues: 1 }, seq));
  });
  it('veth whose peer is given its hardware address', () => {
    golden('rtm_newlink_veth_peer_address', (seq) =>
      encodeNewVeth({
        name: 'ctrgv5', peerName: 'eth5', peerNetns: { fd: 5 }, peerMac: '02:42:0a:58:00:05', master: 40012, up: true,
        queues: 1,
      }, seq));
  });
  it('echo asks for the new link in the reply and changes nothing else (iproute2 6.1 has no -echo to capture)', () => {
    const expected = fixture('rtm_newlink_veth_queues');
    const echoed = encodeNewVeth({ name: 'ctrgv4', peerName: 'eth4', peerNetns: { fd: 5 }, master: 17625, up: true, queues: 1, echo: true }, seqOf(expected));
    expect(echoed.readUInt16LE(6)).toBe(expected.readUInt16LE(6) | NLM_F_ECHO);
    echoed.writeUInt16LE(expected.readUInt16LE(6), 6);
    expect(echoed.toString('hex')).toBe(expected.toString('hex'));
  });
  it('bridge', () => golden('rtm_newlink_bridge', (seq) => encodeNewBridge('ctrgbr0', seq)));
  it('lookup by name', () => golden('rtm_getlink_by_name', (seq) => encodeGetLink('ctrgv0', seq)));
  it('enslave to a bridge', () =>
    golden('rtm_newlink_master', (seq) => encodeSetLink({ index: 6 }, { master: 7 }, seq)));
  it('set up', () => golden('rtm_newlink_up', (seq) => encodeSetLink({ index: 7 }, { up: true }, seq)));
  it('delete link', () => golden('rtm_dellink', (seq) => encodeDelLink({ index: 6 }, seq)));
  it('add and delete an address', () => {
    const spec = { index: 7, address: parseIpv4('10.254.0.1'), prefixLen: 16 };
    golden('rtm_newaddr', (seq) => encodeAddress(RTM_NEWADDR, spec, seq));
    golden('rtm_deladdr', (seq) => encodeAddress(RTM_DELADDR, spec, seq));
  });
  it('add and delete an on-link route', () => {
    const spec = { dst: { address: parseIpv4('10.253.0.0'), prefixLen: 24 }, oif: 7 };
    golden('rtm_newroute_dev', (seq) => encodeRoute(RTM_NEWROUTE, spec, seq));
    golden('rtm_delroute_dev', (seq) => encodeRoute(RTM_DELROUTE, spec, seq));
  });
  it('default route via a gateway', () =>
    golden('rtm_newroute_default', (seq) => encodeRoute(RTM_NEWROUTE, { gateway: parseIpv4('10.254.0.1'), oif: 3 }, seq)));
});

describe('dump requests match the hand-built header layouts', () => {
  it('links, addresses, routes', () => {
    golden('rtm_getlink_dump', (seq) => encodeDumpLinks(seq));
    golden('rtm_getaddr_dump', (seq) => encodeDumpAddresses(seq));
    golden('rtm_getroute_dump', (seq) => encodeDumpRoutes(seq));
  });
});

describe('decoders read captured kernel dump replies', () => {
  it('links: lo and a veth peer', () => {
    const msgs = decodeMessages(fixture('reply_dump_link'));
    expect(msgs.map((m) => m.header.type)).toEqual([RTM_NEWLINK, RTM_NEWLINK]);
    const [lo, eth0] = msgs.map(decodeLink);
    expect(lo).toMatchObject({ index: 1, name: 'lo', up: true, mtu: 65536, mac: '00:00:00:00:00:00' });
    expect(lo?.kind).toBeUndefined();
    expect(eth0).toMatchObject({ index: 4, name: 'eth0', up: true, mtu: 1500, kind: 'veth', mac: '36:55:67:d8:ed:4b', link: 8 });
  });
  it('addresses', () => {
    const addrs = decodeMessages(fixture('reply_dump_addr')).map(decodeAddress);
    expect(addrs).toEqual([
      { index: 1, address: '127.0.0.1', prefixLen: 8, scope: RT_SCOPE_HOST, label: 'lo' },
      { index: 4, address: '10.254.0.5', prefixLen: 16, scope: RT_SCOPE_UNIVERSE, label: 'eth0' },
    ]);
  });
  it('routes', () => {
    const routes = decodeMessages(fixture('reply_dump_route')).map(decodeRoute);
    expect(routes).toEqual([
      { dst: '0.0.0.0/0', gateway: '10.254.0.1', oif: 4, table: RT_TABLE_MAIN, protocol: RTPROT_BOOT, scope: RT_SCOPE_UNIVERSE, type: RTN_UNICAST },
      { dst: '10.254.0.0/16', oif: 4, prefsrc: '10.254.0.5', table: RT_TABLE_MAIN, protocol: RTPROT_KERNEL, scope: RT_SCOPE_LINK, type: RTN_UNICAST },
    ]);
  });
  it('NLMSG_DONE', () => {
    const [done] = decodeMessages(fixture('reply_done'));
    expect(done?.header.type).toBe(NLMSG_DONE);
    expect(done?.payload.readInt32LE(0)).toBe(0);
  });
});
