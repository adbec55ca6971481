// exec.ts — `ctr exec [-it] [-e K=V] [-w DIR] [-u USER] NAME COMMAND [ARG...]`: run a program in a running
// container (runtime/exec.ts); its exit status is ctr's. Signals sent to ctr reach the program.
import { many, one, parseVerbArgs } from '../args.js';
import { invalid } from '../runtime/errors.js';
import { execContainer } from '../runtime/exec.js';
import { findContainer } from '../runtime/state.js';
import { sweepStale } from '../runtime/sweep.js';
import { forwardSignals } from './signals.js';

const help = `Usage: ctr exec [OPTIONS] NAME COMMAND [ARG...]

Run COMMAND inside a running container: in all of its namespaces and its cgroup, with its capabilities,
no_new_privs and seccomp filter. NAME may also be a unique prefix of the container's id.

Options:
  -i, --interactive   keep stdin attached
  -t, --tty           allocate a pseudo-terminal (from the container's own /dev/pts)
  -e, --env K=V       set an environment variable (repeatable)
  -w, --workdir DIR   working directory inside (default: the container's)
  -u, --user USER     uid[:gid] or name[:group] of the container's /etc/passwd (default: root)
`;

const options = {
  interactive: { type: 'boolean', short: 'i' },
  tty: { type: 'boolean', short: 't' },
  env: { type: 'string', short: 'e', multiple: true },
  workdir: { type: 'string', short: 'w' },
  user: { type: 'string', short: 'u' },
  help: { type: 'boolean' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseVerbArgs(argv, options, true);
  if (v.help) {
    process.stdout.write(help);
    return 0;
  }
  const [ref, ...command] = positionals;
  if (ref === undefined || command.length === 0) throw invalid(`"ctr exec" needs a container and a command; see 'ctr exec --help'`);
  await sweepStale();
  const state = findContainer(ref);
  const interactive = Boolean(v.interactive);
  const signals = forwardSignals();
  try {
    const session = execContainer(state, {
      command,
      env: many(v.env),
      workdir: one(v.workdir),
      user: one(v.user),
      tty: Boolean(v.tty),
      interactive,
    });
    signals.target(session);
    const pty = session.ptyMaster !== undefined ? (await import('../runtime/terminal.js')).attachPty(session.ptyMaster, interactive) : undefined;
    try {
      const code = await session.wait();
      if (pty) await pty.closed;
      return code;
    } finally {
      pty?.restore();
    }
  } finally {
    signals.dispose();
  }
}
