// args.ts — runc's command line as engines call it, parsed into typed commands. runc uses Go's flag
// package through urfave/cli: global flags come before the verb, a verb's flags after it; `-flag` and
// `--flag` are the same, a value may follow as the next word or after `=`; a boolean takes no word but
// accepts `--flag=true|false`; flags end at the first non-flag word or at `--` (so `exec ID sh -c …` and
// `kill ID -9`-free signal words stay arguments). Bad usage is one line, exit 1, as runc.
import { constants } from 'node:os';
import { OciError } from './errors.js';
import { DEFAULT_ROOT, validateId } from './state.js';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface GlobalOptions {
  root: string;
  log?: string;
  logFormat: LogFormat;
  logLevel: LogLevel;
  debug: boolean;
}

export type Command =
  | { verb: 'create'; id: string; bundle: string; pidFile?: string; consoleSocket?: string; noPivot: boolean; noNewKeyring: boolean; preserveFds: number }
  | { verb: 'start'; id: string }
  | { verb: 'state'; id: string }
  | { verb: 'kill'; id: string; signal: number; all: boolean }
  | { verb: 'delete'; id: string; force: boolean }
  | {
      verb: 'exec'; id: string; process?: string; args: string[]; detach: boolean; pidFile?: string; tty: boolean;
      consoleSocket?: string; cwd?: string; env: string[]; user?: string;
    }
  | { verb: 'ps'; id: string; format: 'table' | 'json'; psArgs: string[] }
  | { verb: 'pause'; id: string }
  | { verb: 'resume'; id: string }
  | { verb: 'update'; id: string; resources?: string }
  | { verb: 'list'; format: 'table' | 'json'; quiet: boolean }
  | { verb: 'features' }
  | { verb: 'spec'; bundle: string; rootless: boolean }
  | { verb: 'version' }
  | { verb: 'help' };

export type Verb = Exclude<Command['verb'], 'version' | 'help'>;

export interface Invocation {
  globals: GlobalOptions;
  command: Command;
}

/** A usage error, with the global options read before it (so it can be logged where --log says). */
export class UsageError extends OciError {
  constructor(message: string, readonly globals: GlobalOptions) {
    super(message, { code: 'USAGE' });
  }
}

type Kind = 'bool' | 'string' | 'list';
interface FlagSpec {
  names: readonly string[];
  kind: Kind;
}
type Values = Record<string, string | boolean | string[] | undefined>;

const flag = (kind: Kind, ...names: string[]): FlagSpec => ({ names, kind });

const GLOBAL_FLAGS: readonly FlagSpec[] = [
  flag('string', 'root'), flag('string', 'log'), flag('string', 'log-format'), flag('string', 'log-level'),
  flag('bool', 'debug'), flag('bool', 'systemd-cgroup'), flag('bool', 'version', 'v'), flag('bool', 'help', 'h'),
  // runc's --rootless=auto|true|false: ctrun runs as root, and "auto" / "false" are what root gets
  flag('string', 'rootless'), flag('string', 'criu'),
];

interface VerbSpec {
  flags: readonly FlagSpec[];
  /** number of positional arguments: [min, max] (max Infinity for exec and ps) */
  arity: readonly [number, number];
}

const VERBS: Readonly<Record<Verb, VerbSpec>> = {
  create: {
    flags: [
      flag('string', 'bundle', 'b'), flag('string', 'pid-file'), flag('string', 'console-socket'),
      flag('bool', 'no-pivot'), flag('bool', 'no-new-keyring'), flag('string', 'preserve-fds'),
    ],
    arity: [1, 1],
  },
  start: { flags: [], arity: [1, 1] },
  state: { flags: [], arity: [1, 1] },
  kill: { flags: [flag('bool', 'all', 'a')], arity: [1, 2] },
  delete: { flags: [flag('bool', 'force', 'f')], arity: [1, 1] },
  exec: {
    flags: [
      flag('string', 'process', 'p'), flag('bool', 'detach', 'd'), flag('string', 'pid-file'), flag('bool', 'tty', 't'),
      flag('string', 'console-socket'), flag('string', 'cwd'), flag('list', 'env', 'e'), flag('string', 'user', 'u'),
    ],
    arity: [1, Infinity],
  },
  ps: { flags: [flag('string', 'format', 'f')], arity: [1, Infinity] },
  pause: { flags: [], arity: [1, 1] },
  resume: { flags: [], arity: [1, 1] },
  update: { flags: [flag('string', 'resources', 'r')], arity: [1, 1] },
  list: { flags: [flag('string', 'format', 'f'), flag('bool', 'quiet', 'q')], arity: [0, 0] },
  features: { flags: [], arity: [0, 0] },
  spec: { flags: [flag('string', 'bundle', 'b'), flag('bool', 'rootless')], arity: [0, 0] },
};

/** Every verb ctrun's command line knows; the bin registers those it implements. */
export const ALL_VERBS = Object.keys(VERBS) as Verb[];

/**
 * Parses argv (without node and the script). `verbs` are the verbs the calling bin implements; any
 * other word in verb position is an unknown command.
 */
export function parseArgs(argv: readonly string[], verbs: readonly Verb[]): Invocation {
  const globals: GlobalOptions = { root: DEFAULT_ROOT, logFormat: 'text', logLevel: 'info', debug: false };
  const usage = (message: string): never => {
    throw new UsageError(message, globals);
  };
  const g = readFlags(argv, 0, GLOBAL_FLAGS, usage);
  if (g.values.root !== undefined) {
    if (g.values.root === '') usage('--root must name a directory');
    globals.root = g.values.root as string;
  }
  if (g.values.log !== undefined) globals.log = g.values.log as string;
  if (g.values['log-format'] !== undefined) globals.logFormat = choice(g.values['log-format'] as string, ['text', 'json'], '--log-format', usage);
  if (g.values.debug === true) globals.logLevel = 'debug';
  globals.debug = g.values.debug === true;
  if (g.values['log-level'] !== undefined)
    globals.logLevel = choice(g.values['log-level'] as string, ['debug', 'info', 'warn', 'error'], '--log-level', usage);
  if (g.values['systemd-cgroup'] === true)
    usage('--systemd-cgroup is not supported: ctrun manages cgroups through cgroupfs (use the cgroupfs cgroup manager)');
  if (g.values.rootless !== undefined && !['auto', 'false'].includes(g.values.rootless as string))
    usage(`--rootless ${g.values.rootless} is not supported: ctrun runs containers as root`);
  if (g.values.criu !== undefined) usage('--criu is not supported: ctrun does not checkpoint');
  if (g.values.version === true) return { globals, command: { verb: 'version' } };
  const word = argv[g.next];
  if (g.values.help === true || word === undefined || word === 'help') return { globals, command: { verb: 'help' } };
  if (!(verbs as readonly string[]).includes(word)) usage(`unknown command ${JSON.stringify(word)} (ctrun ${verbs.join(', ')})`);
  const verb = word as Verb;
  const spec = VERBS[verb];
  const { values, next } = readFlags(argv, g.next + 1, spec.flags, (message) => usage(`${verb}: ${message}`));
  const args = argv.slice(next);
  const [min, max] = spec.arity;
  if (args.length < min || args.length > max) {
    const wanted = min === max ? `exactly ${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    usage(`"${verb}" requires ${wanted} argument(s), got ${args.length}`);
  }
  const id = args[0] ?? '';
  if (min > 0) {
    try {
      validateId(id);
    } catch (error) {
      usage((error as Error).message);
    }
  }
  const str = (name: string) => values[name] as string | undefined;
  const bool = (name: string) => values[name] === true;
  return { globals, command: build(verb, id, args, str, bool, values, usage) };
}

function build(
  verb: Verb,
  id: string,
  args: string[],
  str: (name: string) => string | undefined,
  bool: (name: string) => boolean,
  values: Values,
  usage: (message: string) => never,
): Command {
  switch (verb) {
    case 'create': {
      const preserve = str('preserve-fds') ?? '0';
      if (!/^\d+$/.test(preserve)) usage(`create: --preserve-fds must be a count of file descriptors, got ${JSON.stringify(preserve)}`);
      return {
        verb, id, bundle: str('bundle') ?? '.', noPivot: bool('no-pivot'), noNewKeyring: bool('no-new-keyring'),
        preserveFds: Number(preserve), ...optional('pidFile', str('pid-file')), ...optional('consoleSocket', str('console-socket')),
      };
    }
    case 'kill':
      return { verb, id, all: bool('all'), signal: parseSignal(args[1] ?? 'SIGTERM', usage) };
    case 'delete':
      return { verb, id, force: bool('force') };
    case 'exec': {
      const process = str('process');
      const command = args.slice(1);
      if (process !== undefined && command.length > 0) usage('exec: give either --process FILE or the command, not both');
      if (process === undefined && command.length === 0) usage('exec: give the command to run after the id, or --process FILE');
      return {
        verb, id, args: command, detach: bool('detach'), tty: bool('tty'), env: (values.env as string[] | undefined) ?? [],
        ...optional('process', process), ...optional('pidFile', str('pid-file')),
        ...optional('consoleSocket', str('console-socket')), ...optional('cwd', str('cwd')), ...optional('user', str('user')),
      };
    }
    case 'ps':
      return { verb, id, format: choice(str('format') ?? 'table', ['table', 'json'], 'ps --format', usage), psArgs: args.slice(1) };
    case 'update':
      return { verb, id, ...optional('resources', str('resources')) };
    case 'list':
      return { verb, format: choice(str('format') ?? 'table', ['table', 'json'], 'list --format', usage), quiet: bool('quiet') };
    case 'features':
      return { verb };
    case 'spec':
      return { verb, bundle: str('bundle') ?? '.', rootless: bool('rootless') };
    case 'start':
    case 'state':
    case 'pause':
    case 'resume':
      return { verb, id };
  }
}

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

function choice<T extends string>(value: string, allowed: readonly T[], what: string, usage: (message: string) => never): T {
  if (!(allowed as readonly string[]).includes(value)) usage(`${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** Reads flags from argv[start] on; stops at the first non-flag word (or after `--`). */
function readFlags(argv: readonly string[], start: number, specs: readonly FlagSpec[], usage: (message: string) => never) {
  const values: Values = {};
  let i = start;
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      i++;
      break;
    }
    // "-" alone is an argument (e.g. `update --resources -` reads stdin), as are words not starting with "-"
    if (!word.startsWith('-') || word === '-') break;
    const body = word.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const spec = specs.find((s) => s.names.includes(name));
    if (!spec) usage(`flag provided but not defined: -${name}`);
    const key = spec.names[0]!;
    if (spec.kind === 'bool') {
      if (eq === -1) values[key] = true;
      else {
        const text = body.slice(eq + 1);
        if (!['true', 'false', '1', '0'].includes(text)) usage(`invalid boolean value ${JSON.stringify(text)} for -${name}`);
        values[key] = text === 'true' || text === '1';
      }
      continue;
    }
    let value: string;
    if (eq !== -1) value = body.slice(eq + 1);
    else {
      const following = argv[i + 1];
      if (following === undefined) usage(`flag needs an argument: -${name}`);
      value = following;
      i++;
    }
    if (spec.kind === 'list') values[key] = [...((values[key] as string[] | undefined) ?? []), value];
    else values[key] = value;
  }
  return { values, next: i };
}

/**
 * A signal as `kill` takes it: a number (engines send "15", "9") or a name with or without "SIG", in any
 * case ("TERM", "SIGKILL", "sigusr1"), as runc's parseSignal.
 */
export function parseSignal(text: string, usage: (message: string) => never): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    // 1…64: the standard and realtime signals (SIGRTMAX is 64 on Linux)
    if (n < 1 || n > 64) usage(`unknown signal ${JSON.stringify(text)}`);
    return n;
  }
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const n = (constants.signals as Record<string, number>)[name];
  if (n === undefined) usage(`unknown signal ${JSON.stringify(text)}`);
  return n;
}
