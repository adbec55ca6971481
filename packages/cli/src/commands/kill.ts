// kill.ts — `ctr kill [-s SIGNAL] NAME...`: one signal (default SIGKILL) to each running container's PID 1.
import os from 'node:os';
import { parseVerbArgs, one } from '../args.js';
import { killContainer } from '../runtime/control.js';
import { invalid } from '../runtime/errors.js';
import { forEachContainer } from './targets.js';

const help = `Usage: ctr kill [-s SIGNAL] NAME...

Send SIGNAL (a name such as TERM or SIGTERM, or a number; default KILL) to the PID 1 of running containers.
`;

export function parseSignal(text: string): NodeJS.Signals | number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= 64) return n;
  } else {
    const name = (text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`) as NodeJS.Signals;
    if (name in os.constants.signals) return name;
  }
  throw invalid(`invalid signal "${text}": use a name such as TERM or KILL, or a number 1-64`);
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { signal: { type: 'string', short: 's' }, help: { type: 'boolean' } }, false);
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const signal = parseSignal(one(values.signal) ?? 'KILL');
  if (positionals.length === 0) throw invalid(`"ctr kill" needs at least one container name; see 'ctr kill --help'`);
  return forEachContainer(positionals, (state) => killContainer(state, signal));
}
