// throughput.mjs — measure 6: TCP throughput from the host into a ctr container over its veth and the bench
// bridge, vs the same over loopback, with iperf3 (skipped when it is not installed). The container runs
// `sleep`; iperf3's server runs in the container's network namespace through nsenter(1), so the rootfs
// needs no copy of iperf3 and the path measured is exactly host → bridge → veth → container netns.
// Figures are iperf3's quarter-second intervals after a one-second warmup.
// See iperf3(1), veth(4), nsenter(1).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ctrNet, ctrRun } from '../context.mjs';
import { assertRoutedToBridge } from '../links.mjs';
import { capture, startTracked, waitFor, signalPid } from '../run.mjs';
import { summarize } from '../stats.mjs';

const containerIp = '10.214.0.250';
const iperfPort = 5201 + (process.pid % 1000);
const warmupSeconds = 1;

/**
 * Gbit/s of each interval of an iperf3 -J report that starts after the warmup second. The warmup is cut
 * here rather than with iperf3's -O, whose omitted intervals came back flagged inconsistently under load.
 */
export function intervalsGbps(report) {
  return report.intervals.filter((i) => i.sum.start >= warmupSeconds - 0.01).map((i) => i.sum.bits_per_second / 1e9);
}

/**
 * Runs an iperf3 server (optionally inside a netns) for one client run and returns the client's intervals.
 * @param {import('../context.mjs').Context} ctx
 * @param {string} ip
 * @param {number | undefined} netnsPid
 */
async function iperf(ctx, ip, netnsPid) {
  const { bins } = ctx.peers;
  // No -1: the server stays up so a client run that yields no usable intervals can be repeated.
  const serverArgs = ['-s', '-B', ip, '-p', String(iperfPort)];
  const server = netnsPid === undefined
    ? startTracked(ctx.cleanup, bins.iperf3, serverArgs)
    : startTracked(ctx.cleanup, bins.nsenter, ['-t', String(netnsPid), '-n', bins.iperf3, ...serverArgs]);
  try {
    const seconds = ctx.opts.throughputSeconds + warmupSeconds;
    const clientArgs = ['-c', ip, '-p', String(iperfPort), '-J', '-t', String(seconds), '-i', '0.25'];
    let lastFailure = 'the server did not answer';
    return await waitFor(() => {
      if (server.child.exitCode !== null) throw new Error(`iperf3 server exited with ${server.child.exitCode}`);
      ctx.cleanup.assertOpen();
      let report;
      try {
        report = JSON.parse(capture(bins.iperf3, clientArgs));
      } catch (err) {
        lastFailure = err.message;
        return undefined; // typically: the server is not listening yet
      }
      const gbps = intervalsGbps(report);
      if (gbps.length > 0) return gbps;
      lastFailure = `iperf3 reported no intervals after the warmup${report.error ? `: ${report.error}` : ''}`;
      return undefined;
    }, { timeoutMs: (seconds * 3 + 10) * 1000, intervalMs: 50, what: () => `iperf3 on ${ip} (last: ${lastFailure})` });
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

/**
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>} one group
 */
export async function measureThroughput(ctx) {
  const { bins } = ctx.peers;
  if (!bins.iperf3 || !bins.nsenter) throw new Error('iperf3 or nsenter is not installed: skipped');
  const name = `ctrb-iperf-${process.pid}`;
  const c = ctrRun(ctx, ['--name', name, '--ip', containerIp, ctx.rootfs, '/bin/sleep', '600']);
  const ctr = startTracked(ctx.cleanup, c.cmd, c.args, { env: c.env });
  let containerPid;
  try {
    const state = await waitFor(() => {
      if (ctr.child.exitCode !== null) throw new Error(`ctr run exited with ${ctr.child.exitCode}`);
      try {
        const s = JSON.parse(readFileSync(path.join(ctx.stateDir, 'containers', `${name}.json`), 'utf8'));
        return s.pid > 0 && s.ip ? s : undefined;
      } catch {
        return undefined;
      }
    }, { timeoutMs: 15_000, what: 'the iperf3 container' });
    containerPid = state.pid;
    assertRoutedToBridge(ctrNet.subnet, ctrNet.bridge);
    ctx.log(`throughput: 2 rows × ${ctx.opts.throughputSeconds} s in quarter-second intervals (+1 s warmup)`);
    const veth = await iperf(ctx, containerIp, containerPid);
    const loopback = await iperf(ctx, '127.0.0.1', undefined);
    return [{
      id: 'throughput',
      title: '6. TCP throughput host → container (iperf3, Gbit/s)',
      unit: 'Gbit/s',
      digits: 2,
      subjects: [{ id: 'veth', label: 'veth' }],
      rows: [
        { id: 'veth', label: 'host → ctr container (bridge + veth)', samples: veth, summary: summarize(veth) },
        { id: 'loopback', label: 'host loopback (127.0.0.1)', samples: loopback, summary: summarize(loopback) },
      ],
      notes: ['One TCP stream each; iperf3 client and server share the same two cores in both rows.'],
    }];
  } finally {
    // `sleep` as PID 1 ignores SIGTERM; killing it ends ctr at once.
    if (containerPid !== undefined) signalPid(containerPid, 'SIGKILL');
    else ctr.child.kill('SIGTERM');
    await ctr.exited;
  }
}
