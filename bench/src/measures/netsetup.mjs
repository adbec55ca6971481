// netsetup.mjs — measure 2: wiring one container's network in-process with @ctr/netns connectContainer
// (rtnetlink, no helper processes) against iproute2 doing the same steps, on a throwaway netns held by a
// `sleep` started with `unshare -n`, and a bench-only bridge. The ip side is given its best case (two execs:
// `ip link add … master … up` and one `ip -batch` inside the netns) and its common scripted form (one exec
// per step); teardown is timed separately. No packet is sent. See ip-link(8), ip(8) -batch, nsenter(1), veth(4).
import { readlinkSync } from 'node:fs';
import { connectContainer, disconnectContainer } from '@ctr/netns';
import { setupNet } from '../context.mjs';
import { interleave } from '../loop.mjs';
import { startTracked, timedRun, waitFor } from '../run.mjs';
import { summarize } from '../stats.mjs';

const elapsedMs = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/**
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>} setup and teardown groups
 */
export async function measureNetSetup(ctx) {
  const { bins } = ctx.peers;
  if (!bins.unshare) throw new Error('unshare is missing: no throwaway netns');
  const holder = startTracked(ctx.cleanup, bins.unshare, ['--net', 'sleep', '3600']);
  try {
    const ownNs = readlinkSync('/proc/self/ns/net');
    await waitFor(() => {
      try {
        return readlinkSync(`/proc/${holder.pid}/ns/net`) !== ownNs ? true : undefined;
      } catch {
        throw new Error('the netns holder exited');
      }
    }, { timeoutMs: 5000, what: 'the throwaway netns' });
    return await compare(ctx, holder.pid);
  } finally {
    holder.child.kill('SIGKILL');
    await holder.exited;
  }
}

async function compare(ctx, pid) {
  const { bins } = ctx.peers;
  const veth = `vbs${process.pid}`.slice(0, 15);
  const inNs = (args) => ({ cmd: bins.nsenter, args: ['-t', String(pid), '-n', bins.ip, ...args] });
  const ip = (args) => ({ cmd: bins.ip, args });
  const containerSteps = [
    'link set lo up',
    'link set eth0 up',
    `addr add ${setupNet.address} dev eth0`,
    `route add default via ${setupNet.gateway}`,
  ];
  const ipTeardown = () => timedRun(ip(['link', 'del', veth]));

  const rows = [{
    id: 'netns',
    label: 'connectContainer (in-process rtnetlink)',
    teardownLabel: 'disconnectContainer (in-process rtnetlink)',
    setup: () => {
      const t0 = process.hrtime.bigint();
      connectContainer({ ...setupNet, hostIfname: veth, containerPid: pid });
      return elapsedMs(t0);
    },
    teardown: () => {
      const t0 = process.hrtime.bigint();
      if (!disconnectContainer(veth)) throw new Error(`${veth} vanished before disconnectContainer`);
      return elapsedMs(t0);
    },
  }];
  if (bins.ip && bins.nsenter) {
    rows.push({
      id: 'ip-batch',
      label: 'ip: link add … master up + nsenter ip -batch (2 execs)',
      teardownLabel: 'ip link del',
      setup: () =>
        timedRun(ip(['link', 'add', veth, 'master', setupNet.bridge, 'up', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(pid)])) +
        timedRun({ ...inNs(['-batch', '-']), input: `${containerSteps.join('\n')}\n` }),
      teardown: ipTeardown,
    }, {
      id: 'ip-steps',
      label: 'ip: one command per step (6 execs)',
      teardownLabel: 'ip link del (after the 6-exec setup)',
      setup: () =>
        timedRun(ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(pid)])) +
        timedRun(ip(['link', 'set', veth, 'master', setupNet.bridge, 'up'])) +
        containerSteps.reduce((sum, step) => sum + timedRun(inNs(step.split(' '))), 0),
      teardown: ipTeardown,
    });
  } else {
    ctx.log('netsetup: ip or nsenter missing, only connectContainer is timed');
  }

  // The first connect creates and addresses the bridge; that one-time cost is not part of any row.
  connectContainer({ ...setupNet, hostIfname: veth, containerPid: pid });
  disconnectContainer(veth);
  ctx.log(`netsetup: ${rows.length} rows × ${ctx.opts.runs} runs (+${ctx.opts.warmups} warmups)`);
  const samples = await interleave(rows, ctx.opts, (row) => ({ setup: row.setup(), teardown: row.teardown() }), ctx.cleanup);

  const group = (metric, id, title, note) => ({
    id,
    title,
    unit: 'ms',
    digits: 3,
    subjects: [{ id: 'netns', label: 'ctr' }],
    rows: rows.map((row) => ({ id: row.id, label: metric === 'setup' ? row.label : row.teardownLabel, samples: samples.get(row)[metric], summary: summarize(samples.get(row)[metric]) })),
    notes: [note],
  });
  return [
    group('setup', 'netsetup', '2. Network setup of one container (veth on a bridge, address, routes)',
      'Bridge already up (its one-time creation is excluded for both). ctr opens its own netlink sockets in each run.'),
    group('teardown', 'netteardown', '2b. Network teardown (delete the veth pair)',
      'disconnectContainer vs `ip link del`; deleting one end removes both.'),
  ];
}
