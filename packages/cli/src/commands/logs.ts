// logs.ts — `ctr logs [-f] [--tail N] [--timestamps] NAME`: what a detached container wrote, from its
// ctr-shim's log (stdout to stdout, stderr to stderr). A foreground run wrote to ctr's own terminal instead.
import { parseVerbArgs, one } from '../args.js';
import { CtrError, invalid } from '../runtime/errors.js';
import { LogReader, tail, type LogRecord } from '../runtime/logs.js';
import { findContainer, statusOf } from '../runtime/state.js';
import { sweepStale } from '../runtime/sweep.js';

const help = `Usage: ctr logs [-f] [--tail N] [--timestamps] NAME

Show what a detached container wrote to stdout and stderr (kept in its state directory, rotated at 10 MiB).

Options:
  -f, --follow       keep printing new output until the container stops
  -n, --tail N       only the last N lines
  -t, --timestamps   prefix each line with the time it was written (RFC 3339, nanoseconds)
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    argv,
    {
      follow: { type: 'boolean', short: 'f' },
      tail: { type: 'string', short: 'n' },
      timestamps: { type: 'boolean', short: 't' },
      help: { type: 'boolean' },
    },
    false,
  );
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const tailText = one(values.tail);
  if (tailText !== undefined && !/^\d+$/.test(tailText)) throw invalid(`invalid --tail "${tailText}": expected a number of lines`);
  if (positionals.length !== 1) throw invalid(`"ctr logs" needs exactly one container name; see 'ctr logs --help'`);
  await sweepStale();
  const state = findContainer(positionals[0]!);
  if (!state.detached) {
    throw new CtrError(`container "${state.name}" runs in the foreground: its output goes to its ctr's terminal, not to a log`, {
      code: 'ERR_CTR_NO_LOG',
    });
  }
  const write = (records: LogRecord[]): void => {
    for (const r of records) {
      const text = values.timestamps ? `${r.time} ${r.text}` : r.text;
      (r.stream === 'stderr' ? process.stderr : process.stdout).write(text);
    }
  };
  const reader = new LogReader(state.name);
  const all = reader.readAll();
  write(tailText === undefined ? all : tail(all, Number(tailText)));
  if (!values.follow) return 0;
  for (;;) {
    const stopped = statusOf(state) === 'stopped';
    write(reader.readNew());
    if (stopped) return 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}
