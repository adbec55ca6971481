// fixtures.ts — loads the hex fixtures in test/fixtures: `#` lines are provenance comments, the rest is hex.
import { readFileSync } from 'node:fs';

/** Bytes of fixture `name` (without the .hex suffix). */
export function fixture(name: string): Buffer {
  const text = readFileSync(new URL(`../fixtures/${name}.hex`, import.meta.url), 'utf8');
  const hex = text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  return Buffer.from(hex, 'hex');
}

/** The nlmsg_seq of a captured request, so an encoder can be asked for the very same message. */
export function seqOf(message: Buffer): number {
  return message.readUInt32LE(8);
}
