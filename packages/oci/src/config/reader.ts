// reader.ts — typed access to untyped JSON that names the JSON path of anything wrong, so every refusal of
// config.json is one line such as `config.json: process.user.uid must be an integer, got "0"`.
// runtime-spec config.md (Extensibility): runtimes MUST ignore properties they do not know, so unknown keys
// are not errors; they are collected as warnings (a typo like "readOnly" would otherwise vanish unseen).
// Properties the spec defines but ctrun does not implement are refused through `unsupported`.
import { OciError } from '../errors.js';

export type Json = Record<string, unknown>;

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

export class Reader {
  readonly warnings: string[] = [];

  constructor(readonly file = 'config.json') {}

  fail(field: string, message: string): never {
    throw new OciError(`${this.file}: ${field} ${message}`, { code: 'INVALID_CONFIG', field });
  }

  unsupported(field: string, why: string): never {
    throw new OciError(`${this.file}: ${field} is not supported by ctrun: ${why}`, { code: 'UNSUPPORTED', field });
  }

  object(value: unknown, field: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field, `must be an object, got ${show(value)}`);
    return value as Json;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, `must be an array, got ${show(value)}`);
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, `must be a string, got ${show(value)}`);
    return value;
  }

  strings(value: unknown, field: string): string[] {
    return this.array(value, field).map((item, i) => this.string(item, `${field}[${i}]`));
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') this.fail(field, `must be true or false, got ${show(value)}`);
    return value;
  }

  /**
   * An integer in [min, max]. JSON numbers are doubles: above 2^53 the value read is not the one written,
   * so such values are refused rather than silently rounded (a memory limit or a uid off by some).
   */
  integer(value: unknown, field: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(field, `must be an integer, got ${show(value)}`);
    if (!Number.isSafeInteger(value)) this.fail(field, `${value} is beyond 2^53 and cannot be read exactly from JSON`);
    if (value < min || value > max) this.fail(field, `must be between ${min} and ${max}, got ${value}`);
    return value;
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
    const text = this.string(value, field);
    if (!(allowed as readonly string[]).includes(text))
      this.fail(field, `must be one of ${allowed.join(', ')}, got ${show(value)}`);
    return text as T;
  }

  /** An absolute path (the spec requires it for mount destinations, cwd, namespace paths…). */
  absolute(value: unknown, field: string): string {
    const text = this.string(value, field);
    if (!text.startsWith('/')) this.fail(field, `must be an absolute path, got ${show(value)}`);
    return text;
  }

  /** A string → string map (annotations, sysctl). */
  stringMap(value: unknown, field: string): Record<string, string> {
    const raw = this.object(value, field);
    const map: Record<string, string> = {};
    for (const [key, item] of Object.entries(raw)) map[key] = this.string(item, `${field}.${key}`);
    return map;
  }

  /**
   * Checks the keys of an object: known ones pass, refused ones (defined by the spec, not implemented here)
   * fail when present with a value that asks for something, unknown ones become warnings.
   */
  keys(raw: Json, field: string, known: readonly string[], refused: Readonly<Record<string, string>> = {}): void {
    for (const [key, value] of Object.entries(raw)) {
      const path = field ? `${field}.${key}` : key;
      if (key in refused) {
        if (!isEmpty(value)) this.unsupported(path, refused[key]!);
      } else if (!known.includes(key)) {
        this.warnings.push(`${this.file}: ${path} is not a property ctrun knows; ignored as the runtime-spec requires`);
      }
    }
  }
}

/** null, "", [], {} and false ask for nothing: engines often write them for fields they leave unset. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value as object).length === 0;
  return false;
}

/** Present: neither absent nor null (engines write null for fields they leave unset). */
export const isSet = (value: unknown): boolean => value !== undefined && value !== null;
