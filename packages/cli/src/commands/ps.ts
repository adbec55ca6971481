// ps.ts — `ctr ps [-a] [-q] [--json]`: containers from the state directory, running ones by default, every one
// not yet removed with -a (with its status and exit code). What containers without an owner left behind is
// released first (runtime/sweep.ts).
import { parseVerbArgs } from '../args.js';
import { invalid } from '../runtime/errors.js';
import { exitCodeOf, readAllStates, readExit, statusOf, type ContainerState } from '../runtime/state.js';
import { sweepStale } from '../runtime/sweep.js';
import { formatTable } from '../table.js';

const help = `Usage: ctr ps [-a] [-q] [--json]

List running containers: name, host PID, hostname, IP, rootfs, command, start time, status.

Options:
  -a, --all     also created and stopped containers (with their exit codes)
  -q, --quiet   only the ids
      --json    every field, as JSON
`;

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.floor(s / 60)} minutes ago`;
  return `${Math.floor(s / 3600)} hours ago`;
}

function describe(c: ContainerState): string {
  const status = statusOf(c);
  if (status !== 'stopped') return status;
  const exit = readExit(c.name);
  const code = exitCodeOf(exit);
  return code === undefined ? 'stopped' : `exited (${code}) ${ago(exit!.finishedAt)}`;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    argv,
    { all: { type: 'boolean', short: 'a' }, quiet: { type: 'boolean', short: 'q' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    false,
  );
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length > 0) throw invalid(`"ctr ps" takes no arguments (got "${positionals[0]}")`);
  await sweepStale();
  const containers = readAllStates()
    .filter((c) => c.pid > 0 && (values.all || statusOf(c) === 'running'))
    .sort((a, b) => a.started.localeCompare(b.started));
  if (values.quiet) {
    process.stdout.write(containers.map((c) => `${c.id}\n`).join(''));
    return 0;
  }
  if (values.json) {
    const entries = containers.map((c) => {
      const exit = readExit(c.name);
      return { ...c, status: statusOf(c), ...(exit ? { exitCode: exitCodeOf(exit), finishedAt: exit.finishedAt } : {}) };
    });
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['NAME', 'PID', 'HOSTNAME', 'IP', 'ROOTFS', 'COMMAND', 'STARTED', 'STATUS'],
      containers.map((c) => [c.name, String(c.pid), c.hostname, c.ip ?? '-', c.rootfs, JSON.stringify(c.command.join(' ')), ago(c.started), describe(c)]),
    ),
  );
  return 0;
}
