// mac.test.ts — hardware addresses in iproute2's text form, and the MAC a container gets from its address.
// No privileges needed; the kernel side (eth0 really has it) is in integration/rtnl.test.ts.
import { describe, expect, it } from 'vitest';
import { containerMac, formatMac, parseMac } from '../src/mac.js';

describe('MAC addresses', () => {
  it('a container MAC is 02:42 and the four bytes of its address, from text or number', () => {
    expect(containerMac('10.88.0.5')).toBe('02:42:0a:58:00:05');
    expect(containerMac('172.17.255.254')).toBe('02:42:ac:11:ff:fe');
    expect(containerMac(0x0a580005)).toBe('02:42:0a:58:00:05');
    // locally administered (bit 1 of the first byte), unicast (bit 0 clear)
    expect(parseMac(containerMac('10.88.0.5'))[0]! & 0b11).toBe(0b10);
  });

  it('parses and prints six hex bytes, any case', () => {
    expect(parseMac('02:42:0A:58:00:05').toString('hex')).toBe('02420a580005');
    expect(formatMac(Buffer.from([2, 0x42, 0xaa, 0, 1, 0xff]))).toBe('02:42:aa:00:01:ff');
  });

  it('refuses anything else with EINVAL_MAC, naming the value', () => {
    for (const bad of ['', '02:42:0a:58:00', '02:42:0a:58:00:05:06', '02-42-0a-58-00-05', '02:42:0a:58:00:zz']) {
      expect(() => parseMac(bad)).toThrow(expect.objectContaining({ code: 'EINVAL_MAC', message: expect.stringContaining(`'${bad}'`) }));
    }
  });

  it('refuses a container MAC for a malformed address', () => {
    expect(() => containerMac('10.88.0.300')).toThrow(expect.objectContaining({ code: 'EINVAL_IPV4' }));
  });
});
