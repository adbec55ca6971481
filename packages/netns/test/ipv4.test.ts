// Subnet arithmetic and the overlap check the runtime runs before adopting a subnet. No privileges needed.
import { describe, expect, it } from 'vitest';

import {
  findOverlappingRoutes,
  formatIpv4,
  formatSubnet,
  parseAddressWithPrefix,
  parseCidr,
  parseIpv4,
  subnetContains,
  subnetsOverlap,
} from '../src/ipv4.js';

describe('IPv4 parsing', () => {
  it('round-trips dotted quads, including the extremes', () => {
    for (const text of ['0.0.0.0', '10.88.0.5', '255.255.255.255', '192.168.1.254']) {
      expect(formatIpv4(parseIpv4(text))).toBe(text);
    }
    expect(parseIpv4('10.88.0.1')).toBe(0x0a580001);
  });
  it('rejects malformed addresses with EINVAL_IPV4', () => {
    for (const bad of ['10.88.0', '10.88.0.256', '10.88.0.-1', '01.2.3.4', 'a.b.c.d', '1.2.3.4.5', '']) {
      expect(() => parseIpv4(bad), bad).toThrow(expect.objectContaining({ code: 'EINVAL_IPV4' }));
    }
  });
  it('parses CIDR and refuses host bits or a bad prefix', () => {
    const s = parseCidr('10.88.0.0/16');
    expect([s.network, s.mask, s.broadcast, s.prefixLen]).toEqual([0x0a580000, 0xffff0000, 0x0a58ffff, 16]);
    expect(formatSubnet(parseCidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(parseCidr('10.1.2.3/32').broadcast).toBe(parseIpv4('10.1.2.3'));
    expect(() => parseCidr('10.88.0.1/16')).toThrow(expect.objectContaining({ code: 'EINVAL_CIDR' }));
    expect(() => parseCidr('10.88.0.0/33')).toThrow(expect.objectContaining({ code: 'EINVAL_CIDR' }));
    expect(() => parseCidr('10.88.0.0')).toThrow(expect.objectContaining({ code: 'EINVAL_CIDR' }));
    expect(parseAddressWithPrefix('10.88.0.5/16')).toEqual({ address: 0x0a580005, prefixLen: 16 });
  });
});

describe('containment and overlap', () => {
  const net = parseCidr('10.88.0.0/16');
  it('contains its network, hosts and broadcast, nothing outside', () => {
    expect(['10.88.0.0', '10.88.0.1', '10.88.255.255'].map((a) => subnetContains(net, parseIpv4(a)))).toEqual([true, true, true]);
    expect(['10.87.255.255', '10.89.0.0'].map((a) => subnetContains(net, parseIpv4(a)))).toEqual([false, false]);
  });
  it('overlap is symmetric and covers nesting', () => {
    const cases: Array<[string, string, boolean]> = [
      ['10.88.0.0/16', '10.88.5.0/24', true],
      ['10.0.0.0/8', '10.88.0.0/16', true],
      ['10.88.0.0/16', '10.89.0.0/16', false],
      ['10.88.0.0/16', '10.88.0.0/16', true],
      ['192.168.0.0/24', '192.168.1.0/24', false],
    ];
    for (const [a, b, expected] of cases) {
      expect(subnetsOverlap(parseCidr(a), parseCidr(b)), `${a} ${b}`).toBe(expected);
      expect(subnetsOverlap(parseCidr(b), parseCidr(a)), `${b} ${a}`).toBe(expected);
    }
  });
  it('findOverlappingRoutes ignores default routes and the own bridge', () => {
    const routes = [
      { dst: '0.0.0.0/0', oif: 2 },
      { dst: '10.88.0.0/16', oif: 9 },
      { dst: '10.0.0.0/8', oif: 3 },
      { dst: '172.17.0.0/16', oif: 4 },
      { dst: '10.88.7.0/24', oif: 5 },
    ];
    expect(findOverlappingRoutes(routes, net, 9).map((r) => r.oif)).toEqual([3, 5]);
    expect(findOverlappingRoutes(routes, net).map((r) => r.oif)).toEqual([9, 3, 5]);
    expect(findOverlappingRoutes(routes, parseCidr('192.168.0.0/24'))).toEqual([]);
  });
});
