// cpu.mjs — measure 5: the CPU share `threads-cpu 2` achieves under `ctr run --cpus 0.5` vs under a raw
// cgroup v1 directory the bench writes itself with the same cpu.cfs_period_us/cpu.cfs_quota_us (read back
// from ctr's group), both running at the same time so both see the same machine. The share of a window is
// the CPU time of all the process's threads (schedstat, ns) over the wall time; windows are one second
// (ten CFS periods) after a two-second warmup. See cgroups(7), sched(7) "CFS bandwidth control", proc(5).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ctrRun } from '../context.mjs';
import { rawCgroupName, rawCgroupRoot, removeRawCgroup } from '../lock.mjs';
import { cgroupOf, cpuTimeNs, descendants, pidNamespace } from '../procfs.mjs';
import { scrubbedEnv, signalPid, startTracked, waitFor } from '../run.mjs';
import { summarize } from '../stats.mjs';

const cpus = 0.5;
const warmupMs = 2000;
const windowMs = 1000;

const readNumber = (file) => Number(readFileSync(file, 'utf8').trim());

/**
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>} one group
 */
export async function measureCpu(ctx) {
  const hostNs = pidNamespace('self');
  const c = ctrRun(ctx, ['--net', 'none', '--cpus', String(cpus), ctx.rootfs, '/threads-cpu', '2']);
  const ctr = startTracked(ctx.cleanup, c.cmd, c.args, { env: c.env });
  const rawDir = path.join(rawCgroupRoot, rawCgroupName(process.pid));
  let raw;
  try {
    const ctrTask = await waitFor(() => {
      if (ctr.child.exitCode !== null) throw new Error(`ctr run exited with ${ctr.child.exitCode}`);
      return descendants(ctr.pid).find((d) => d.comm === 'threads-cpu' && pidNamespace(d.pid) !== hostNs);
    }, { timeoutMs: 15_000, what: "ctr's threads-cpu" });
    const ctrGroup = path.join(rawCgroupRoot, cgroupOf(ctrTask.pid, 'cpu') ?? '/');
    const period = readNumber(path.join(ctrGroup, 'cpu.cfs_period_us'));
    const quota = readNumber(path.join(ctrGroup, 'cpu.cfs_quota_us'));
    if (quota <= 0) throw new Error(`ctr's cpu group ${ctrGroup} has no quota (${quota})`);

    mkdirSync(rawDir);
    ctx.cleanup.push('raw cpu cgroup', () => removeRawCgroup(rawDir));
    writeFileSync(path.join(rawDir, 'cpu.cfs_period_us'), String(period));
    writeFileSync(path.join(rawDir, 'cpu.cfs_quota_us'), String(quota));
    // The shell joins the group first, so threads-cpu and all its threads are born inside it.
    raw = startTracked(ctx.cleanup, '/bin/sh', [
      '-c', 'echo $$ > "$1/cgroup.procs" && exec "$2" 2', 'sh', rawDir, path.join(ctx.rootfs, 'threads-cpu'),
    ], { env: scrubbedEnv });
    await waitFor(() => {
      if (raw.child.exitCode !== null) throw new Error(`raw threads-cpu exited: ${raw.child.exitCode}`);
      try {
        return readFileSync(`/proc/${raw.pid}/comm`, 'utf8').trim() === 'threads-cpu' ? true : undefined;
      } catch {
        return undefined;
      }
    }, { timeoutMs: 5000, what: 'the raw threads-cpu' });

    ctx.log(`cpu: ${ctx.opts.cpuWindows} one-second windows (+2 s warmup), quota ${quota}/${period} µs`);
    await new Promise((r) => setTimeout(r, warmupMs));
    const shares = { ctr: [], raw: [] };
    const read = () => ({ t: process.hrtime.bigint(), ctr: cpuTimeNs(ctrTask.pid), raw: cpuTimeNs(raw.pid) });
    let prev = read();
    for (let w = 0; w < ctx.opts.cpuWindows; w++) {
      await new Promise((r) => setTimeout(r, windowMs));
      ctx.cleanup.assertOpen();
      const now = read();
      if (now.ctr === undefined || now.raw === undefined) throw new Error('threads-cpu exited during the measure');
      const wall = Number(now.t - prev.t);
      shares.ctr.push((now.ctr - prev.ctr) / wall);
      shares.raw.push((now.raw - prev.raw) / wall);
      prev = now;
    }
    const expected = quota / period;
    const row = (id, label, samples) => {
      const summary = summarize(samples);
      return { id, label, samples, summary, errorPct: ((summary.median - expected) / expected) * 100 };
    };
    const rows = [
      row('ctr', `ctr run --cpus ${cpus}`, shares.ctr),
      row('raw', `raw cgroup v1, quota ${quota}/${period} µs`, shares.raw),
    ];
    return [{
      id: 'cpu',
      title: `5. Limit accuracy: CPU share of threads-cpu 2 (cores), expected ${expected}`,
      unit: 'cores',
      digits: 3,
      subjects: [{ id: 'ctr', label: 'ctr' }],
      rows,
      extra: { expected, quota, period },
      notes: [`Median error vs the expected ${expected} cores: ${rows.map((r) => `${r.id} ${r.errorPct.toFixed(2)} %`).join(', ')}.`],
    }];
  } finally {
    // threads-cpu as the container's PID 1 ignores SIGTERM, so it is killed directly and ctr exits after it
    // without waiting out its stop grace period.
    const inner = descendants(ctr.pid).filter((d) => pidNamespace(d.pid) !== hostNs);
    for (const d of inner) signalPid(d.pid, 'SIGKILL');
    if (inner.length === 0) ctr.child.kill('SIGTERM');
    if (raw) raw.child.kill('SIGKILL');
    await Promise.all([ctr.exited, raw?.exited]);
  }
}
