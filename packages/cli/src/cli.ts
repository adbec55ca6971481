// cli.ts — the `ctr` command line, run by bin.ts: picks the verb, loads only that verb's module (start-up cost
// matters for `ctr run`), and turns every error into one line and docker's exit status 125 (a stack only with
// --debug).
import { CtrError } from './runtime/errors.js';

/** package.json's version, written in by tsup (tsup.config.ts). */
declare const CTR_VERSION: string;

const verbs: Record<string, () => Promise<{ main(argv: string[]): Promise<number> }>> = {
  run: () => import('./commands/run.js'),
  ps: () => import('./commands/ps.js'),
  create: () => import('./commands/create.js').then((m) => ({ main: m.create })),
  start: () => import('./commands/create.js').then((m) => ({ main: m.start })),
  exec: () => import('./commands/exec.js'),
  attach: () => import('./commands/attach.js'),
  stop: () => import('./commands/stop.js'),
  kill: () => import('./commands/kill.js'),
  rm: () => import('./commands/rm.js'),
  wait: () => import('./commands/wait.js'),
  logs: () => import('./commands/logs.js'),
  inspect: () => import('./commands/inspect.js'),
  stats: () => import('./commands/stats.js'),
  rootfs: () => import('./commands/rootfs.js'),
  demo: () => import('./commands/demo.js'),
  check: () => import('./commands/check.js'),
};

const usage = `Usage: ctr [--debug] COMMAND [OPTIONS]
       ctr --version

A small Linux container runtime: namespaces, pivot_root, rtnetlink networking and cgroup limits.

Commands:
  run      Run a command in a new container (ctr run --help; -d to detach)
  ps       List running containers (-a: all)
  create   Create a container without starting it (ctr run's options)
  start    Start created containers
  exec     Run a command in a running container
  attach   Attach to a detached container (Ctrl-P Ctrl-Q detaches)
  stop     Stop running containers (SIGTERM, then SIGKILL)
  kill     Send a signal to running containers
  rm       Remove containers (-f: running ones too)
  wait     Wait for containers to stop and print their exit codes
  logs     Show a detached container's output
  inspect  Show everything about containers as JSON
  stats    Show live resource usage of running containers
  rootfs   Build the default root filesystem or import a tarball
  demo     Prove each isolation claim on this machine, host beside container
  check    Show what this host offers ctr and what is missing

Run 'ctr COMMAND --help' for more on a command.
`;

export async function main(argv: string[]): Promise<number> {
  const debug = argv[0] === '--debug';
  const args = debug ? argv.slice(1) : argv;
  const verb = args[0];
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(usage);
    return verb === undefined ? 125 : 0;
  }
  if (verb === '--version' || verb === '-v' || verb === 'version') {
    process.stdout.write(`ctr version ${CTR_VERSION} (node ${process.versions.node}, ${process.platform}-${process.arch})\n`);
    return 0;
  }
  const load = verbs[verb];
  if (!load) {
    process.stderr.write(`ctr: unknown command "${verb}"; run 'ctr --help' for the list\n`);
    return 125;
  }
  try {
    return await (await load()).main(args.slice(1));
  } catch (err) {
    const e = err as CtrError;
    if (debug) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    else process.stderr.write(`ctr: ${e?.message ?? String(err)}\n`);
    for (const c of e?.cleanupErrors ?? []) process.stderr.write(`ctr: also: ${(c as Error).message}\n`);
    return err instanceof CtrError ? err.exitCode : 125;
  }
}
