// names.ts — container ids and docker-like generated names (adjective_scientist).
import { randomBytes } from 'node:crypto';

const adjectives = ['brave', 'calm', 'eager', 'fond', 'gentle', 'happy', 'keen', 'lucid', 'merry', 'nimble',
  'proud', 'quiet', 'sharp', 'swift', 'tender', 'vivid', 'wise', 'zealous', 'bold', 'clever'];
const scientists = ['curie', 'turing', 'lovelace', 'hopper', 'noether', 'ritchie', 'thompson', 'torvalds',
  'dijkstra', 'knuth', 'lamport', 'liskov', 'hamilton', 'shannon', 'babbage', 'kernighan', 'pike', 'wirth',
  'goldberg', 'allen'];

/** 12 hex characters, like docker's short ids. */
export function newId(): string {
  return randomBytes(6).toString('hex');
}

/** A readable name; `taken` is consulted so a generated name never collides with a live one. */
export function generateName(taken: (name: string) => boolean): string {
  for (;;) {
    const [a, b] = randomBytes(2);
    const name = `${adjectives[a! % adjectives.length]}_${scientists[b! % scientists.length]}`;
    if (!taken(name)) return name;
    const suffixed = `${name}_${randomBytes(2).toString('hex')}`;
    if (!taken(suffixed)) return suffixed;
  }
}
