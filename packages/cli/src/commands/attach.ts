// attach.ts — `ctr attach NAME`: connect this terminal to a detached container's output (and, for one made
// with -t, its pty: keys and window size). Ctrl-P Ctrl-Q detaches and leaves it running; when the container
// stops, ctr exits with its exit code.
import { parseVerbArgs } from '../args.js';
import { attachContainer } from '../runtime/attach.js';
import { CtrError, invalid } from '../runtime/errors.js';
import { exitCodeOf, findContainer, readExit, statusOf } from '../runtime/state.js';
import { sweepStale } from '../runtime/sweep.js';

const help = `Usage: ctr attach NAME

Attach to a running detached container: its output, and for a container started with -t its terminal.
Detach with Ctrl-P Ctrl-Q (the container keeps running).
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { help: { type: 'boolean' } }, false);
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length !== 1) throw invalid(`"ctr attach" needs exactly one container name; see 'ctr attach --help'`);
  await sweepStale();
  const state = findContainer(positionals[0]!);
  if (statusOf(state) !== 'running' || !state.detached) {
    const why = statusOf(state) !== 'running' ? `it is ${statusOf(state)}` : 'it runs in the foreground of another ctr';
    throw new CtrError(`cannot attach to container "${state.name}": ${why}`, { code: 'ERR_CTR_NOT_RUNNING' });
  }
  const session = await attachContainer(state, { stdout: process.stdout, stderr: process.stderr });
  const stdin = process.stdin;
  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  const onResize = (): void => {
    if (process.stdout.columns && process.stdout.rows) session.resize(process.stdout.rows, process.stdout.columns);
  };
  const onInput = (d: Buffer): void => session.input(d);
  if (state.tty) {
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.resume();
    if (process.stdout.isTTY) {
      process.stdout.on('resize', onResize);
      onResize();
    }
  }
  try {
    const how = await session.ended;
    if (how === 'detached') return 0;
    return exitCodeOf(readExit(state.name)) ?? 0;
  } finally {
    stdin.off('data', onInput);
    process.stdout.off('resize', onResize);
    if (stdin.isTTY) stdin.setRawMode(wasRaw);
    stdin.pause();
  }
}
