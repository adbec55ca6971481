// size.ts — human sizes for the CLI: parseSize('64m') the way docker's `--memory` reads them (binary
// multiples whatever the spelling: k, kb, KiB are all 1024) and formatSize for display ("64 MiB").
import { CgroupError } from './errors.js';

const MULTIPLIERS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

function invalid(text: string, why: string): CgroupError {
  return new CgroupError(`invalid size '${text}': ${why}`, { code: 'INVALID_SIZE', value: text });
}

/**
 * Parses a size such as '64m', '1.5G', '512KiB', '100' (bytes) into a whole number of bytes.
 * Units b/k/m/g/t, optionally followed by 'b' or 'ib', case-insensitive; decimals allowed; fractions of
 * a byte are dropped (docker truncates the same way).
 */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!match) {
    if (/^\s*-/.test(text)) throw invalid(text, 'sizes cannot be negative');
    throw invalid(text, 'expected a number with an optional unit b, k, m, g, t (e.g. 64m, 1.5GiB)');
  }
  const [, number, unit = '', suffix] = match;
  // a lone 'ib' ("10ib") is not a unit
  if (unit === '' && suffix !== undefined && suffix.toLowerCase() !== 'b') throw invalid(text, `unknown unit '${suffix}'`);
  const bytes = Math.floor(Number(number) * MULTIPLIERS[unit.toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) throw invalid(text, 'too large');
  return bytes;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Formats bytes with binary units and at most two decimals: 67108864 → "64 MiB", 1536 → "1.5 KiB". */
export function formatSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new CgroupError(`invalid size ${bytes}: expected a whole number of bytes ≥ 0`, { code: 'INVALID_SIZE', value: String(bytes) });
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(2))} ${UNITS[unit]}`;
}
