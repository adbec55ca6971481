// seccomp-cache.ts — compiled seccomp filters kept in ctr's state directory. Compiling the default profile
// takes several milliseconds of cold JavaScript on every `ctr run`, while the inputs (profile, kept
// capabilities, kernel release) rarely change; a filter is just bytes, so the next run reads them back.
// The key covers every input, so a changed profile or capability set compiles anew. See seccomp(2).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileProfile, type SeccompProfile } from '@ctr/ns-native';
import { stateRoot } from './config.js';

/** Two 32-bit FNV-1a hashes with different offsets: a cache key, not a security boundary (the cache
 *  directory is root's alone). Math.imul keeps it in fast 32-bit integer arithmetic. */
function cacheKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The BPF program for `profile` with `capabilities` kept, from the cache or freshly compiled (and cached). */
export function compiledFilter(profile: SeccompProfile, capabilities: number[]): Buffer {
  const key = cacheKey(JSON.stringify([profile, capabilities, os.release(), process.arch]));
  const dir = path.join(stateRoot, 'seccomp');
  const file = path.join(dir, `${key}.bpf`);
  try {
    return readFileSync(file);
  } catch {
    // not cached yet (or unreadable): compile below
  }
  const filter = compileProfile(profile, { capabilities });
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, filter, { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written (read-only /run) only costs the next run a compile.
  }
  return filter;
}
