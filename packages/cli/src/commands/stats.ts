// stats.ts — `ctr stats [NAME...] [--no-stream] [--json]`: CPU %, memory used/limit and pids of running
// containers, read from their cgroups, refreshed every second in place (like `docker stats`). CPU % is the
// cgroup's CPU time over wall time between two samples, so 100 % is one full core.
import { formatSize, type CgroupStats } from '@ctr/cgroups';
import { containerCgroup } from '../runtime/limits.js';
import { cursorTo, clearScreenDown } from 'node:readline';
import { parseVerbArgs } from '../args.js';
import { invalid } from '../runtime/errors.js';
import { listContainers, type ContainerState } from '../runtime/state.js';
import { sweepStale } from '../runtime/sweep.js';
import { formatTable } from '../table.js';

const help = `Usage: ctr stats [NAME...] [--no-stream] [--json]

Live CPU, memory and process counts of running containers (all of them when no NAME is given).
`;

interface Sample {
  name: string;
  at: bigint;
  stats: CgroupStats;
}

export interface StatsRow {
  name: string;
  cpuPercent: number;
  memory: { usage: number; limit: number | null; peak: number | null; oomKills: number };
  pids: { current: number; limit: number | null };
  limits: Record<string, number>;
}

function sample(c: ContainerState): Sample | undefined {
  try {
    const cgroup = containerCgroup(c);
    return cgroup && { name: c.name, at: process.hrtime.bigint(), stats: cgroup.stats() };
  } catch {
    return undefined; // the container ended between listing and reading
  }
}

function row(before: Sample, after: Sample, limits: Record<string, number>): StatsRow {
  const cpuNs = (after.stats.cpu?.usageNs ?? 0) - (before.stats.cpu?.usageNs ?? 0);
  const wallNs = Number(after.at - before.at);
  return {
    name: after.name,
    cpuPercent: wallNs > 0 ? Math.round((cpuNs / wallNs) * 10_000) / 100 : 0,
    memory: {
      usage: after.stats.memory?.current ?? 0,
      limit: after.stats.memory?.limit ?? null,
      peak: after.stats.memory?.peak ?? null,
      oomKills: after.stats.memory?.oomKills ?? 0,
    },
    pids: { current: after.stats.pids?.current ?? 0, limit: after.stats.pids?.limit ?? null },
    limits,
  };
}

function render(rows: StatsRow[]): string {
  return formatTable(
    ['NAME', 'CPU %', 'MEM USAGE / LIMIT', 'PIDS'],
    rows.map((r) => [
      r.name,
      `${r.cpuPercent.toFixed(2)}%`,
      `${formatSize(r.memory.usage)} / ${r.memory.limit === null ? 'unlimited' : formatSize(r.memory.limit)}`,
      `${r.pids.current}${r.pids.limit === null ? '' : ` / ${r.pids.limit}`}`,
    ]),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    argv,
    { 'no-stream': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    false,
  );
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  await sweepStale();
  const pick = (): ContainerState[] => {
    const all = listContainers();
    for (const name of positionals) {
      if (!all.some((c) => c.name === name)) throw invalid(`no running container named "${name}"; see 'ctr ps'`);
    }
    return positionals.length > 0 ? all.filter((c) => positionals.includes(c.name)) : all;
  };
  let previous = new Map<string, Sample>();
  for (const c of pick()) {
    const s = sample(c);
    if (s) previous.set(c.name, s);
  }
  const stream = !values['no-stream'];
  for (;;) {
    await sleep(stream ? 1000 : 500);
    const containers = pick();
    const next = new Map<string, Sample>();
    const rows: StatsRow[] = [];
    for (const c of containers) {
      const s = sample(c);
      if (!s) continue;
      next.set(c.name, s);
      const before = previous.get(c.name);
      if (before) rows.push(row(before, s, c.limits ?? {}));
    }
    previous = next;
    if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
    else {
      if (stream && process.stdout.isTTY) {
        cursorTo(process.stdout, 0, 0);
        clearScreenDown(process.stdout);
      }
      process.stdout.write(render(rows));
    }
    if (!stream) return 0;
  }
}
