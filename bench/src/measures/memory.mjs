// memory.mjs — measure 3: host memory of the processes that stay on the host while a container runs
// `sleep`: ctr's Node process vs `runc run` and `crun run` in the foreground (each stays as the container's
// supervisor). Every process below the runtime that is still in the host's PID namespace counts; the
// container's own processes (in its PID namespace) do not. PSS shares pages mapped by several processes
// fairly (a shared library counts once across them), RSS counts them fully per process.
// See proc(5) /proc/PID/smaps_rollup, pid_namespaces(7).
import path from 'node:path';
import { crunRun, ctrRun, runcRun } from '../context.mjs';
import { interleave } from '../loop.mjs';
import { writeBundle } from '../peers.mjs';
import { descendants, memoryOf, pidNamespace } from '../procfs.mjs';
import { signalPid, startTracked, waitFor } from '../run.mjs';
import { summarize } from '../stats.mjs';

const settleMs = 300;

/**
 * One run: start the container, wait for its `sleep`, let the supervisor settle, read its memory, stop.
 * @param {import('../context.mjs').Context} ctx
 * @param {{ cmd: string, args: string[], env?: Record<string, string> }} command
 */
async function sampleOnce(ctx, command) {
  const hostNs = pidNamespace('self');
  const proc = startTracked(ctx.cleanup, command.cmd, command.args, command.env ? { env: command.env } : {});
  let early;
  void proc.exited.then((status) => {
    early = status;
  });
  try {
    const sleeper = await waitFor(() => {
      if (early) throw new Error(`${command.cmd} exited before its container ran: ${early.stderr || early.code}`);
      return descendants(proc.pid).find((d) => d.comm === 'sleep' && pidNamespace(d.pid) !== hostNs);
    }, { timeoutMs: 15_000, what: `the container of ${path.basename(command.cmd)}` });
    await new Promise((r) => setTimeout(r, settleMs));
    const host = [proc.pid, ...descendants(proc.pid).filter((d) => pidNamespace(d.pid) === hostNs).map((d) => d.pid)];
    let rss = 0;
    let pss = 0;
    for (const pid of host) {
      const m = memoryOf(pid);
      if (!m) continue;
      rss += m.rss;
      pss += m.pss;
    }
    signalPid(sleeper.pid, 'SIGKILL');
    return { rss: rss / 2 ** 20, pss: pss / 2 ** 20, processes: host.length };
  } finally {
    if (!early) {
      // The runtime exits on its own once its container is gone; this only guards a failed wait above.
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
      await proc.exited;
      clearTimeout(timer);
    }
  }
}

/**
 * Samples the host memory of each row (interleaved, one warmup, `memoryRuns` runs) and returns a builder of
 * its report groups (`group('pss' | 'rss', title, note)`) and how many host processes each row left.
 * Shared by this measure and the detached one.
 * @param {import('../context.mjs').Context} ctx
 * @param {{ id: string, label: string }[]} rows
 * @param {(row: any, round: number) => Promise<{ rss: number, pss: number, processes: number }>} sampleRow
 * @param {{ idPrefix: string, subject: { id: string, label: string } }} report
 */
export async function sampleMemoryRows(ctx, rows, sampleRow, { idPrefix, subject }) {
  const processCounts = {};
  const samples = await interleave(rows, { warmups: 1, runs: ctx.opts.memoryRuns }, async (row, round) => {
    const { processes, ...figures } = await sampleRow(row, round);
    processCounts[row.id] = processes;
    return figures;
  }, ctx.cleanup);
  const group = (metric, title, note) => ({
    id: `${idPrefix}-${metric}`,
    title,
    unit: 'MiB',
    digits: 2,
    subjects: [subject],
    rows: rows.map((row) => ({ id: row.id, label: row.label, samples: samples.get(row)[metric], summary: summarize(samples.get(row)[metric]) })),
    extra: { hostProcesses: processCounts },
    notes: [note],
  });
  return { group, processCounts };
}

/**
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>} PSS and RSS groups
 */
export async function measureMemory(ctx) {
  const { bins } = ctx.peers;
  const sleepArgs = ['/bin/sleep', '600'];
  const bundle = bins.runc || bins.crun ? writeBundle(ctx.peers, path.join(ctx.tmp, 'bundle-sleep'), ctx.rootfs, sleepArgs) : undefined;
  const id = (round) => `ctrb-mem-${process.pid}-${round}`;
  const rows = [
    { id: 'ctr-none', label: 'ctr run --net none', command: () => ctrRun(ctx, ['--net', 'none', ctx.rootfs, ...sleepArgs]) },
    { id: 'ctr-bridge', label: 'ctr run (bridge)', command: () => ctrRun(ctx, [ctx.rootfs, ...sleepArgs]) },
  ];
  if (bins.runc) rows.push({ id: 'runc', label: 'runc run (foreground)', command: (r) => runcRun(ctx, bundle, id(r)) });
  if (bins.crun) rows.push({ id: 'crun', label: 'crun run (foreground)', command: (r) => crunRun(ctx, bundle, id(r)) });
  ctx.log(`memory: ${rows.length} rows × ${ctx.opts.memoryRuns} runs (+1 warmup)`);
  const { group, processCounts } = await sampleMemoryRows(ctx, rows, (row, round) => sampleOnce(ctx, row.command(round)), {
    idPrefix: 'memory',
    subject: { id: 'ctr-none', label: 'ctr none' },
  });
  return [
    group('pss', '3. Host memory per running container — PSS',
      `Host-side processes per container: ${Object.entries(processCounts).map(([k, v]) => `${k} ${v}`).join(', ')}. ` +
        "PSS splits shared pages among every process mapping them, so ctr's figure drops when other Node " +
        'processes run (the harness itself is one); RSS is the stable upper bound.'),
    group('rss', '3b. Host memory per running container — RSS', 'RSS counts shared pages (libc, the node binary) in full.'),
  ];
}
