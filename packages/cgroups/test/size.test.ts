// Unit tests for parseSize / formatSize (src/size.ts).
import { describe, expect, it } from 'vitest';
import { formatSize, parseSize } from '../src/size.js';
import { isCgroupError } from '../src/errors.js';

describe('parseSize', () => {
  it('reads docker-style sizes as binary multiples, any case', () => {
    expect(parseSize('64m')).toBe(64 * 2 ** 20);
    expect(parseSize('64M')).toBe(64 * 2 ** 20);
    expect(parseSize('64mb')).toBe(64 * 2 ** 20);
    expect(parseSize('64MiB')).toBe(64 * 2 ** 20);
    expect(parseSize('1g')).toBe(2 ** 30);
    expect(parseSize('2GiB')).toBe(2 * 2 ** 30);
    expect(parseSize('1t')).toBe(2 ** 40);
    expect(parseSize('512k')).toBe(512 * 1024);
    expect(parseSize('512KB')).toBe(512 * 1024);
    expect(parseSize('100')).toBe(100);
    expect(parseSize('100b')).toBe(100);
    expect(parseSize(' 8 m ')).toBe(8 * 2 ** 20);
  });
  it('accepts decimals and drops fractions of a byte', () => {
    expect(parseSize('1.5g')).toBe(1.5 * 2 ** 30);
    expect(parseSize('0.5k')).toBe(512);
    expect(parseSize('.5m')).toBe(2 ** 19);
    expect(parseSize('1.7')).toBe(1);
  });
  it('rejects garbage and negatives with a clear error', () => {
    for (const bad of ['10xb', 'abc', '', 'm', '1.2.3m', '1e3', '5 mega']) {
      expect(() => parseSize(bad)).toThrow(/invalid size .*expected a number/);
    }
    expect(() => parseSize('10ib')).toThrow("invalid size '10ib': unknown unit 'ib'");
    expect(() => parseSize('-5m')).toThrow("invalid size '-5m': sizes cannot be negative");
    expect(() => parseSize('99999999t')).toThrow(/too large/);
    try {
      parseSize('10xb');
    } catch (error) {
      expect(isCgroupError(error) && error.code).toBe('INVALID_SIZE');
    }
  });
});

describe('formatSize', () => {
  it('prints binary units with up to two decimals', () => {
    expect(formatSize(64 * 2 ** 20)).toBe('64 MiB');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1.25 * 2 ** 30)).toBe('1.25 GiB');
    expect(formatSize(3 * 2 ** 40)).toBe('3 TiB');
    expect(formatSize(2 ** 50)).toBe('1024 TiB');
  });
  it('round-trips through parseSize', () => {
    for (const text of ['64 MiB', '1.5 GiB', '6 MiB', '100 B']) expect(formatSize(parseSize(text))).toBe(text);
  });
  it('rejects negative and fractional byte counts', () => {
    expect(() => formatSize(-1)).toThrow(/invalid size -1/);
    expect(() => formatSize(1.5)).toThrow(/invalid size 1.5/);
  });
});
