// args.ts — docker-style argument parsing on node:util.parseArgs (zero import cost).
// Two things parseArgs does not do as docker does: stop at the first positional (`run -it rootfs ls -la` must
// hand `-la` to the container) and accept option values that start with '-' (`--pids-limit -2` must reach our
// validation, not die as an "ambiguous" argument). A small scan fixes both: it joins every string option with
// its value (`--memory=-5m`) and cuts the command line at the first positional; parseArgs then checks the rest.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { invalid } from './runtime/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** Joins string options with their values; returns the options part and the rest from the first positional. */
function split(argv: string[], options: Options, stopAtFirstPositional: boolean): { head: string[]; rest: string[] } {
  const byShort = new Map(Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])));
  const head: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return { head, rest: argv.slice(i + 1) };
    const long = arg.startsWith('--') ? arg.slice(2) : arg.length === 2 && arg[0] === '-' ? byShort.get(arg[1]!) : undefined;
    if (long !== undefined && !long.includes('=') && options[long]?.type === 'string' && i + 1 < argv.length) {
      head.push(`--${long}=${argv[++i]}`);
    } else if (arg.startsWith('-') && arg !== '-') {
      head.push(arg);
    } else if (stopAtFirstPositional) {
      return { head, rest: argv.slice(i) };
    } else {
      head.push(arg);
    }
  }
  return { head, rest: [] };
}

/**
 * Parses `argv` for one verb. With `stopAtFirstPositional`, the first positional and everything after it
 * become `positionals` verbatim (the container's command line).
 */
export function parseVerbArgs(argv: string[], options: Options, stopAtFirstPositional: boolean): Parsed {
  const { head, rest } = split(argv, options, stopAtFirstPositional);
  try {
    const { values, positionals } = parseArgs({ args: head, options, strict: true, allowPositionals: true });
    return { values: values as Parsed['values'], positionals: [...positionals, ...rest] };
  } catch (err) {
    // parseArgs messages are already one line and name the option; drop its "To specify a positional…" tail.
    throw invalid(String((err as Error).message).split('. ')[0] ?? 'invalid arguments');
  }
}

/** A repeatable string option as an array. */
export function many(v: Parsed['values'][string]): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** A single string option, or undefined. */
export function one(v: Parsed['values'][string]): string | undefined {
  if (v === undefined) return undefined;
  return String(Array.isArray(v) ? v[v.length - 1] : v);
}
