// profile.ts — Docker's seccomp profile JSON (moby/profiles seccomp/default.json, `docker run --security-opt
// seccomp=FILE`): types and a validating parser. Like Docker, unknown JSON keys are tolerated (recorded as
// warnings, because a typo such as "arg" for "args" silently widens a rule) and syscall names no table knows
// are skipped with a warning. A broken profile throws one SeccompError naming the file and the field.
// See seccomp(2), seccomp_rule_add(3) for the actions and comparison operators.
import { readFileSync } from 'node:fs';
import { SeccompError } from './errors.js';
import { capabilityNames } from '../capabilities.js';
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from './syscalls.js';

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];

/** seccomp(2) SECCOMP_SET_MODE_FILTER flags a profile may ask for; they apply when installing, not to BPF. */
export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;
export type SeccompFlag = (typeof SECCOMP_FLAGS)[number];

/**
 * One comparison of a 64-bit syscall argument. For SCMP_CMP_MASKED_EQ `value` is the mask and `valueTwo` the
 * expected result: `(args[index] & value) == valueTwo`; every other operator compares `args[index]` with `value`.
 */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

/** Conditions on the container (kept capabilities) and the host (architecture, kernel version). */
export interface SeccompFilter {
  caps?: string[];
  /** libseccomp / Go architecture names: amd64, x86, x32, arm64, arm, … */
  arches?: string[];
  /** "<kernel>.<major>", e.g. "4.8" */
  minKernel?: string;
}

export interface SeccompSyscallRule {
  names: string[];
  action: SeccompAction;
  /** errno for SCMP_ACT_ERRNO (default EPERM), data for SCMP_ACT_TRACE */
  errnoRet?: number;
  /** all must hold (AND); several rules for one syscall are alternatives (OR) */
  args?: SeccompArg[];
  comment?: string;
  /** the rule applies only when all of these hold */
  includes?: SeccompFilter;
  /** the rule is dropped when any of these holds */
  excludes?: SeccompFilter;
}

export interface SeccompArchMapEntry {
  architecture: string;
  subArchitectures: string[] | null;
}

/** A Docker seccomp profile, as accepted by `--security-opt seccomp=PROFILE.json`. */
export interface SeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: SeccompArchMapEntry[];
  flags?: SeccompFlag[];
  syscalls: SeccompSyscallRule[];
}

export interface ParsedProfile {
  profile: SeccompProfile;
  /** things Docker ignores silently and we point out: unknown keys, syscall names no table knows */
  warnings: string[];
}

// errno values are at most MAX_ERRNO (4095) — the kernel's -errno return range; SECCOMP_RET_DATA holds 16 bits.
const MAX_ERRNO = 4095;

/**
 * Parses and validates a Docker seccomp profile. `path` only decorates errors and warnings.
 * @throws SeccompError INVALID_JSON, INVALID_PROFILE (with `field`), UNSUPPORTED (SCMP_ACT_NOTIFY)
 */
export function parseProfile(text: string, path?: string): ParsedProfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const where = path === undefined ? 'seccomp profile' : `seccomp profile ${path}`;
    throw new SeccompError(`${where}: not json: ${(cause as Error).message}`, { code: 'INVALID_JSON', path, cause });
  }
  return new Parser(path).profile(json);
}

/**
 * Reads and parses a profile file.
 * @throws SeccompError with the errno name as `code` when the file cannot be read, else as parseProfile
 */
export function loadProfile(path: string): ParsedProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const error = cause as NodeJS.ErrnoException;
    throw new SeccompError(`read seccomp profile ${path}: ${error.code ?? error.message}`, {
      code: error.code ?? 'EIO',
      errno: error.errno,
      syscall: error.syscall ?? 'open',
      path,
      cause,
    });
  }
  return parseProfile(text, path);
}

type Json = Record<string, unknown>;

const PROFILE_KEYS = ['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'flags', 'syscalls'];
// Docker fields for SCMP_ACT_NOTIFY agents; they are meaningless without that action, so only warned about.
const IGNORED_PROFILE_KEYS = ['listenerPath', 'listenerMetadata'];
const RULE_KEYS = ['name', 'names', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes'];
const ARG_KEYS = ['index', 'value', 'valueTwo', 'op'];
const FILTER_KEYS = ['caps', 'arches', 'minKernel'];

class Parser {
  readonly warnings: string[] = [];

  constructor(private readonly path: string | undefined) {}

  profile(json: unknown): ParsedProfile {
    const root = this.object(json, '');
    this.keys(root, '', [...PROFILE_KEYS, ...IGNORED_PROFILE_KEYS]);
    if (root.architectures !== undefined && root.archMap !== undefined)
      this.fail('architectures', "both 'architectures' and 'archMap' are given; use one");
    const profile: SeccompProfile = {
      defaultAction: this.action(root.defaultAction, 'defaultAction'),
      syscalls: this.array(root.syscalls ?? [], 'syscalls').map((rule, i) => this.rule(rule, `syscalls[${i}]`)),
    };
    if (root.defaultErrnoRet !== undefined) profile.defaultErrnoRet = this.errno(root.defaultErrnoRet, 'defaultErrnoRet');
    if (root.architectures !== undefined) profile.architectures = this.strings(root.architectures, 'architectures');
    if (root.archMap !== undefined)
      profile.archMap = this.array(root.archMap, 'archMap').map((entry, i) => this.archMapEntry(entry, `archMap[${i}]`));
    if (root.flags !== undefined)
      profile.flags = this.strings(root.flags, 'flags').map((flag, i) => this.oneOf(flag, SECCOMP_FLAGS, `flags[${i}]`));
    return { profile, warnings: this.warnings };
  }

  private rule(json: unknown, field: string): SeccompSyscallRule {
    const raw = this.object(json, field);
    this.keys(raw, field, RULE_KEYS);
    if (raw.name !== undefined && raw.names !== undefined) this.fail(field, "both 'name' and 'names' are given; use one");
    const names =
      raw.name !== undefined ? [this.string(raw.name, `${field}.name`)] : this.strings(raw.names, `${field}.names`);
    if (names.length === 0) this.fail(`${field}.names`, 'no syscall names');
    names.forEach((name, i) => {
      if (!(name in SYSCALLS_X86_64) && !(name in SYSCALLS_AARCH64))
        this.warn(`${field}.names[${i}]`, `unknown syscall "${name}" skipped`);
    });
    const rule: SeccompSyscallRule = { names, action: this.action(raw.action, `${field}.action`) };
    if (raw.errnoRet !== undefined) rule.errnoRet = this.errno(raw.errnoRet, `${field}.errnoRet`);
    if (raw.args !== undefined && raw.args !== null) {
      rule.args = this.array(raw.args, `${field}.args`).map((arg, i) => this.arg(arg, `${field}.args[${i}]`));
    }
    if (raw.comment !== undefined) rule.comment = this.string(raw.comment, `${field}.comment`);
    if (raw.includes !== undefined) rule.includes = this.filter(raw.includes, `${field}.includes`);
    if (raw.excludes !== undefined) rule.excludes = this.filter(raw.excludes, `${field}.excludes`);
    return rule;
  }

  private arg(json: unknown, field: string): SeccompArg {
    const raw = this.object(json, field);
    this.keys(raw, field, ARG_KEYS);
    const index = this.integer(raw.index, `${field}.index`);
    // seccomp_data.args has six slots: the most any syscall takes.
    if (index > 5) this.fail(`${field}.index`, `${index} is out of range (0..5)`);
    const arg: SeccompArg = {
      index,
      value: this.integer(raw.value ?? 0, `${field}.value`),
      op: this.oneOf(raw.op, SECCOMP_OPERATORS, `${field}.op`),
    };
    if (raw.valueTwo !== undefined) arg.valueTwo = this.integer(raw.valueTwo, `${field}.valueTwo`);
    return arg;
  }

  private filter(json: unknown, field: string): SeccompFilter {
    const raw = this.object(json, field);
    this.keys(raw, field, FILTER_KEYS);
    const filter: SeccompFilter = {};
    if (raw.caps !== undefined) {
      filter.caps = this.strings(raw.caps, `${field}.caps`);
      filter.caps.forEach((cap, i) => {
        if (!Object.hasOwn(capabilityNames, cap)) this.warn(`${field}.caps[${i}]`, `unknown capability "${cap}" is never kept`);
      });
    }
    if (raw.arches !== undefined) filter.arches = this.strings(raw.arches, `${field}.arches`);
    if (raw.minKernel !== undefined && raw.minKernel !== '') {
      const version = this.string(raw.minKernel, `${field}.minKernel`);
      if (!/^\d{1,3}\.\d{1,3}$/.test(version) || /^0+\.0+$/.test(version))
        this.fail(`${field}.minKernel`, `"${version}" is not a kernel version "<kernel>.<major>" such as "4.8"`);
      filter.minKernel = version;
    }
    return filter;
  }

  private archMapEntry(json: unknown, field: string): SeccompArchMapEntry {
    const raw = this.object(json, field);
    this.keys(raw, field, ['architecture', 'subArchitectures']);
    const sub = raw.subArchitectures;
    return {
      architecture: this.string(raw.architecture, `${field}.architecture`),
      subArchitectures: sub === undefined || sub === null ? null : this.strings(sub, `${field}.subArchitectures`),
    };
  }

  private action(value: unknown, field: string): SeccompAction {
    const action = this.oneOf(value, SECCOMP_ACTIONS, field);
    // A notify filter hands decisions to a user-space agent through a listener fd we have no agent for.
    if (action === 'SCMP_ACT_NOTIFY')
      throw new SeccompError(`${this.where(field)}: SCMP_ACT_NOTIFY is not supported (ctr runs no seccomp agent)`, {
        code: 'UNSUPPORTED',
        path: this.path,
        field,
      });
    return action;
  }

  private errno(value: unknown, field: string): number {
    const errno = this.integer(value, field);
    if (errno > MAX_ERRNO) this.fail(field, `${errno} is not an errno (0..${MAX_ERRNO})`);
    return errno;
  }

  private oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
    const text = this.string(value, field);
    if (!(allowed as readonly string[]).includes(text))
      this.fail(field, `unknown value "${text}" (expected one of ${allowed.join(', ')})`);
    return text as T;
  }

  // JSON numbers are doubles: above 2^53 the value read is not the value written, so refuse rather than
  // compare a syscall argument against a silently rounded constant.
  private integer(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      this.fail(field, `expected a non-negative integer, got ${JSON.stringify(value)}`);
    if (!Number.isSafeInteger(value)) this.fail(field, `${value} is above 2^53 and cannot be represented exactly in json`);
    return value;
  }

  private string(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, `expected a string, got ${JSON.stringify(value) ?? 'nothing'}`);
    return value;
  }

  private strings(value: unknown, field: string): string[] {
    return this.array(value, field).map((item, i) => this.string(item, `${field}[${i}]`));
  }

  private array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, `expected an array, got ${JSON.stringify(value) ?? 'nothing'}`);
    return value;
  }

  private object(value: unknown, field: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field || '(root)', `expected an object, got ${JSON.stringify(value) ?? 'nothing'}`);
    return value as Json;
  }

  private keys(raw: Json, field: string, known: string[]): void {
    for (const key of Object.keys(raw))
      if (!known.includes(key)) this.warn(field ? `${field}.${key}` : key, 'unknown key ignored');
  }

  private where(field: string): string {
    return `seccomp profile${this.path === undefined ? '' : ` ${this.path}`}: ${field}`;
  }

  private warn(field: string, message: string): void {
    this.warnings.push(`${this.where(field)}: ${message}`);
  }

  private fail(field: string, message: string): never {
    throw new SeccompError(`${this.where(field)}: ${message}`, { code: 'INVALID_PROFILE', path: this.path, field });
  }
}
