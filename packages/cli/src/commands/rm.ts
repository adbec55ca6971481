// rm.ts — `ctr rm [-f] NAME...`: delete stopped containers (cgroup, veth, lease, state, log); -f kills a
// running one first.
import { parseVerbArgs } from '../args.js';
import { removeContainer } from '../runtime/control.js';
import { invalid } from '../runtime/errors.js';
import { forEachContainer } from './targets.js';

const help = `Usage: ctr rm [-f] NAME...

Remove containers: what they hold on the host (cgroup, veth, IP lease) and their state and log.

Options:
  -f, --force   kill a running container first (SIGKILL)
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { force: { type: 'boolean', short: 'f' }, help: { type: 'boolean' } }, false);
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length === 0) throw invalid(`"ctr rm" needs at least one container name; see 'ctr rm --help'`);
  return forEachContainer(positionals, (state) => removeContainer(state, { force: Boolean(values.force) }));
}
