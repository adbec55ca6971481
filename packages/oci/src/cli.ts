// cli.ts — the `ctrun` command line (run by bin.ts): parse runc's command line, run the verb, report a failure as one line on stderr
// (and in --log, in --log-format) with exit status 1, as runc does; --debug adds the stack.
import { parseArgs, UsageError, type GlobalOptions, type Verb } from './args.js';
import { HANDLERS } from './commands.js';
import { Logger, writeAll } from './log.js';
import { DEFAULT_ROOT } from './state.js';
import { versionText } from './version.js';

const verbs = Object.keys(HANDLERS) as Verb[];

function usage(): string {
  return `usage: ctrun [--root DIR] [--log FILE] [--log-format text|json] [--log-level LEVEL] [--debug] COMMAND [ARGS]
commands: ${verbs.join(', ')}
  create --bundle B [--pid-file F] [--console-socket S] [--preserve-fds N] ID
                                set the container up; its program waits for start
  start ID                      run the program of a created container
  state ID                      the container's state as JSON
  kill [--all] ID [SIGNAL]      signal the container's init (or every process)
  delete [--force] ID           remove a stopped (or, forced, any) container
  exec [--process F | -- ARGS] [--detach] [--pid-file F] [--tty] [--console-socket S] [--cwd D] [--env K=V] [--user U[:G]] ID
  ps [--format json] ID         processes of the container
  pause ID / resume ID          freeze and thaw the container's cgroup
  update [--resources F|-] ID   change the cgroup limits (runtime-spec linux.resources JSON)
  list [--format json] [-q]     containers under --root (default ${DEFAULT_ROOT})
  features                      what this runtime supports, as JSON
  spec [--bundle DIR]           write a default config.json into DIR
--version prints ctrun's and the runtime-spec's versions.
`;
}

/** Runs ctrun on `argv` (without node and the script); returns the exit status. bin.ts calls it. */
export async function main(argv: string[]): Promise<number> {
  let globals: GlobalOptions | undefined;
  try {
    const invocation = parseArgs(argv, verbs);
    globals = invocation.globals;
    const { command } = invocation;
    if (command.verb === 'version') writeAll(1, versionText());
    else if (command.verb === 'help') writeAll(1, usage());
    else {
      type Run = (c: typeof command, g: GlobalOptions, l: Logger) => void | number | Promise<void | number>;
      const status = await (HANDLERS[command.verb] as Run)(command, globals, new Logger(globals));
      return typeof status === 'number' ? status : 0;
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) globals = error.globals;
    const logger = new Logger(globals ?? { logFormat: 'text', logLevel: 'info' });
    logger.error(error instanceof Error ? error.message : String(error));
    if (globals?.debug && error instanceof Error && error.stack) writeAll(2, `${error.stack}\n`);
    return 1;
  }
}

