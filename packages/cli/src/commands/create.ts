// create.ts — `ctr create [OPTIONS] ROOTFS [COMMAND [ARG...]]` and `ctr start NAME...`: a container made with
// `ctr run`'s flags whose command waits, under its ctr-shim, until a `ctr start` from any terminal.
import { parseVerbArgs } from '../args.js';
import { createContainer } from '../runtime/create.js';
import { invalid } from '../runtime/errors.js';
import { startContainer } from '../runtime/start.js';
import { parseRunFlags } from './run.js';
import { forEachContainer } from './targets.js';

const createHelp = `Usage: ctr create [OPTIONS] ROOTFS [COMMAND [ARG...]]

Create a container as 'ctr run -d' would (same options), without starting its command; print its name.
Start it with 'ctr start NAME'.
`;

const startHelp = `Usage: ctr start NAME...

Start containers made by 'ctr create'.
`;

export async function create(argv: string[]): Promise<number> {
  const flags = parseRunFlags('create', argv, createHelp);
  if (!flags) return 0;
  const created = await createContainer({ ...flags, startBySupervisor: true });
  process.stdout.write(`${created.state.name}\n`);
  return 0;
}

export async function start(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { help: { type: 'boolean' } }, false);
  if (values.help) {
    process.stdout.write(startHelp);
    return 0;
  }
  if (positionals.length === 0) throw invalid(`"ctr start" needs at least one container name; see 'ctr start --help'`);
  return forEachContainer(positionals, (state) => startContainer(state));
}
