// args.ts — docker-style argument parsing on node:util.parseArgs (zero import cost).
// parseArgs cannot stop at the first positional: `run -it rootfs ls -la` would reject `-l`. So we parse once
// loosely with tokens to find where the first positional (the rootfs) starts, then parse only the options
// before it strictly and pass everything after it to the container untouched.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { invalid } from './runtime/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` for one verb. With `stopAtFirstPositional`, the first positional and everything after it
 * become `positionals` verbatim (the container's command line).
 */
export function parseVerbArgs(argv: string[], options: Options, stopAtFirstPositional: boolean): Parsed {
  let head = argv;
  let rest: string[] = [];
  if (stopAtFirstPositional) {
    const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
    const first = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
    if (first) {
      const at = first.kind === 'option-terminator' ? first.index + 1 : first.index;
      head = argv.slice(0, first.index);
      rest = argv.slice(at);
    }
  }
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
