// ps.ts — `ctr ps [--json]`: the running containers, from the state directory. Containers whose supervising
// `ctr run` is gone are cleaned up first (their leases, cgroups and state files), not shown.
import { parseVerbArgs } from '../args.js';
import { invalid } from '../runtime/errors.js';
import { listContainers } from '../runtime/state.js';
import { sweepStale } from '../runtime/sweep.js';
import { formatTable } from '../table.js';

const help = `Usage: ctr ps [--json]

List running containers: name, host PID, hostname, IP, rootfs, command, start time.
`;

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.floor(s / 60)} minutes ago`;
  return `${Math.floor(s / 3600)} hours ago`;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { json: { type: 'boolean' }, help: { type: 'boolean' } }, false);
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length > 0) throw invalid(`"ctr ps" takes no arguments (got "${positionals[0]}")`);
  await sweepStale();
  const containers = listContainers().sort((a, b) => a.started.localeCompare(b.started));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(containers, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['NAME', 'PID', 'HOSTNAME', 'IP', 'ROOTFS', 'COMMAND', 'STARTED'],
      containers.map((c) => [c.name, String(c.pid), c.hostname, c.ip ?? '-', c.rootfs, JSON.stringify(c.command.join(' ')), ago(c.started)]),
    ),
  );
  return 0;
}
