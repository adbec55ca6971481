// kernel.ts — what the running kernel is and was built with: the release as numbers (feature gates by the
// version that introduced a syscall or flag), and its build configuration from /proc/config.gz (or
// /boot/config-RELEASE) when the kernel exposes one, as lxc-checkconfig reads it.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { gunzipSync } from 'node:zlib';

export interface KernelInfo {
  release: string;
  version: [number, number, number];
  /** CONFIG_* → y/m/n or a value; undefined when no config is readable */
  config?: Map<string, string>;
  configSource?: string;
}

export function parseRelease(release: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [0, 0, 0];
}

export function parseConfig(text: string): Map<string, string> {
  const config = new Map<string, string>();
  for (const line of text.split('\n')) {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (set) config.set(set[1]!, set[2]!);
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
    if (unset) config.set(unset[1]!, 'n');
  }
  return config;
}

export function readKernel(): KernelInfo {
  const release = os.release();
  const info: KernelInfo = { release, version: parseRelease(release) };
  for (const source of ['/proc/config.gz', `/boot/config-${release}`]) {
    if (!existsSync(source)) continue;
    try {
      const raw = readFileSync(source);
      info.config = parseConfig((source.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
      info.configSource = source;
      break;
    } catch {
      // unreadable: fall back to version gates
    }
  }
  return info;
}

/** True when the kernel is at least major.minor. */
export const atLeast = (k: KernelInfo, major: number, minor: number): boolean =>
  k.version[0] > major || (k.version[0] === major && k.version[1] >= minor);

/** `CONFIG_X=y` as evidence, or '' when no config is readable. */
export function configNote(k: KernelInfo, symbol: string): string {
  if (!k.config) return '';
  return `${symbol}=${k.config.get(symbol) ?? 'n'}`;
}

/** A config symbol is enabled (y or m); undefined when the config is not readable. */
export function configEnabled(k: KernelInfo, symbol: string): boolean | undefined {
  if (!k.config) return undefined;
  const v = k.config.get(symbol);
  return v === 'y' || v === 'm';
}
