// validate.ts — option checks shared by the typed wrappers: every failure is a TypeError with
// code ERR_INVALID_ARG_VALUE naming the option, thrown before anything is cloned or mounted.
import path from 'node:path';

/** Throws the TypeError for `options.<name>`. */
export function invalid(name: string, why: string): never {
  const error = new TypeError(`options.${name} ${why}`);
  Object.assign(error, { code: 'ERR_INVALID_ARG_VALUE' });
  throw error;
}

/** A string without NUL bytes; `absolute` also requires an absolute path. */
export function checkString(name: string, value: unknown, absolute = false): string {
  if (typeof value !== 'string') invalid(name, 'must be a string');
  // C strings end at NUL: an embedded one would silently truncate the value the kernel sees.
  if (value.includes('\0')) invalid(name, 'must not contain NUL bytes');
  if (absolute && !path.isAbsolute(value)) invalid(name, `must be an absolute path, got '${value}'`);
  return value;
}

/** An array of checkString values. */
export function checkStrings(name: string, value: unknown, { nonEmpty = false, absolute = false } = {}): string[] {
  if (!Array.isArray(value)) invalid(name, 'must be an array of strings');
  if (nonEmpty && value.length === 0) invalid(name, 'must not be empty');
  return value.map((item, i) => checkString(`${name}[${i}]`, item, absolute));
}

/** An integer in [min, max]. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    invalid(name, `must be an integer ${min}-${max}, got ${String(value)}`);
  }
  return value as number;
}

/** A boolean (no truthiness: `'false'` is a mistake, not true). */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') invalid(name, 'must be a boolean');
  return value;
}
