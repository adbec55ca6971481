// wait.ts — `ctr wait NAME...`: blocks until each container stopped, then prints its exit code (128+N for a
// death by signal N).
import { parseVerbArgs } from '../args.js';
import { waitContainer } from '../runtime/control.js';
import { CtrError, invalid } from '../runtime/errors.js';
import { exitCodeOf } from '../runtime/state.js';
import { forEachContainer } from './targets.js';

const help = `Usage: ctr wait NAME...

Wait until containers stop, and print each one's exit code.
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { help: { type: 'boolean' } }, false);
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length === 0) throw invalid(`"ctr wait" needs at least one container name; see 'ctr wait --help'`);
  return forEachContainer(
    positionals,
    async (state) => {
      const code = exitCodeOf(await waitContainer(state));
      if (code === undefined) {
        throw new CtrError(`container "${state.name}" stopped without an exit status (its supervisor was killed)`, { code: 'ERR_CTR_NO_STATUS' });
      }
      process.stdout.write(`${code}\n`);
    },
    false,
  );
}
