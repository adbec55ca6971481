// stop.ts — `ctr stop [-t SECS] NAME...`: SIGTERM to each container's PID 1, SIGKILL after the timeout.
import { parseVerbArgs, one } from '../args.js';
import { stopContainer } from '../runtime/control.js';
import { invalid } from '../runtime/errors.js';
import { stopTimeoutSeconds } from '../runtime/config.js';
import { forEachContainer } from './targets.js';

const help = `Usage: ctr stop [-t SECS] NAME...

Stop running containers: SIGTERM to PID 1, then SIGKILL after SECS (default: the container's --stop-timeout,
else ${stopTimeoutSeconds}). A stopped container stays until 'ctr rm'.
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { time: { type: 'string', short: 't' }, help: { type: 'boolean' } }, false);
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const t = one(values.time);
  const seconds = t === undefined ? undefined : Number(t);
  if (!/^\d+$/.test(t ?? '0')) throw invalid(`invalid --time "${t}": expected whole seconds, e.g. -t 5`);
  if (positionals.length === 0) throw invalid(`"ctr stop" needs at least one container name; see 'ctr stop --help'`);
  return forEachContainer(positionals, (state) => stopContainer(state, seconds));
}
