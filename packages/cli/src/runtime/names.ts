// names.ts — container ids and docker-like generated names (adjective_scientist).
import { readFileSync } from 'node:fs';

const adjectives = ['brave', 'calm', 'eager', 'fond', 'gentle', 'happy', 'keen', 'lucid', 'merry', 'nimble',
  'proud', 'quiet', 'sharp', 'swift', 'tender', 'vivid', 'wise', 'zealous', 'bold', 'clever'];
const scientists = ['curie', 'turing', 'lovelace', 'hopper', 'noether', 'ritchie', 'thompson', 'torvalds',
  'dijkstra', 'knuth', 'lamport', 'liskov', 'hamilton', 'shannon', 'babbage', 'kernighan', 'pike', 'wirth',
  'goldberg', 'allen'];

/**
 * Random bytes from the kernel's UUID generator (random(4)); one small read instead of loading node:crypto,
 * which costs a few milliseconds of every `ctr run`.
 */
function randomHex(): string {
  return readFileSync('/proc/sys/kernel/random/uuid', 'latin1').replace(/[-\n]/g, '');
}

/** 12 hex characters, like docker's short ids. */
export function newId(): string {
  return randomHex().slice(0, 12);
}

/** A readable name; `taken` is consulted so a generated name never collides with a live one. */
export function generateName(taken: (name: string) => boolean): string {
  for (;;) {
    const hex = randomHex();
    const name = `${adjectives[parseInt(hex.slice(0, 2), 16) % adjectives.length]}_${scientists[parseInt(hex.slice(2, 4), 16) % scientists.length]}`;
    if (!taken(name)) return name;
    const suffixed = `${name}_${hex.slice(4, 8)}`;
    if (!taken(suffixed)) return suffixed;
  }
}
