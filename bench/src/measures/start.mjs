// start.mjs — measure 1: wall time of `/bin/true` in a fresh container, from spawn to exit as seen by the
// harness, for ctr (--net none and the bridge), runc, crun, bwrap and unshare, beside the floors `node -e 0`
// and `/bin/true`. ctr is a Node program, so its own cost is ctr minus `node -e 0`.
// See clone(2), namespaces(7), runc-run(8), bwrap(1), unshare(1).
import path from 'node:path';
import { crunRun, ctrRun, runcRun } from '../context.mjs';
import { interleave } from '../loop.mjs';
import { timedRun } from '../run.mjs';
import { writeBundle } from '../peers.mjs';
import { summarize } from '../stats.mjs';

/**
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>} one result group
 */
export async function measureStart(ctx) {
  const { bins } = ctx.peers;
  const bundle = bins.runc || bins.crun ? writeBundle(ctx.peers, path.join(ctx.tmp, 'bundle-true'), ctx.rootfs, ['/bin/true']) : undefined;
  const id = (round) => `ctrb-${process.pid}-${round}`;
  const rows = [
    { id: 'ctr-none', label: 'ctr run --net none', command: () => ctrRun(ctx, ['--net', 'none', ctx.rootfs, '/bin/true']) },
    { id: 'ctr-bridge', label: 'ctr run (bridge)', command: () => ctrRun(ctx, [ctx.rootfs, '/bin/true']) },
  ];
  if (bins.runc) rows.push({ id: 'runc', label: 'runc run', command: (r) => runcRun(ctx, bundle, id(r)) });
  if (bins.crun) {
    const via = ctx.crunMountNsPid === undefined ? '' : ' (via nsenter)';
    rows.push({ id: 'crun', label: `crun run${via}`, command: (r) => crunRun(ctx, bundle, id(r)) });
  }
  if (bins.bwrap) {
    rows.push({
      id: 'bwrap',
      label: 'bwrap --unshare-all',
      command: () => ({
        cmd: bins.bwrap,
        args: ['--unshare-all', '--ro-bind', ctx.rootfs, '/', '--proc', '/proc', '--dev', '/dev', '/bin/true'],
      }),
    });
  }
  if (bins.unshare) {
    rows.push({
      id: 'unshare',
      label: 'unshare --fork --pid --mount --uts --ipc --net --mount-proc',
      command: () => ({ cmd: bins.unshare, args: ['--fork', '--pid', '--mount', '--uts', '--ipc', '--net', '--mount-proc', '/bin/true'] }),
    });
  }
  if (ctx.crunMountNsPid !== undefined) {
    rows.push({
      id: 'nsenter',
      label: "floor: nsenter --mount /bin/true (crun's wrapper)",
      command: () => ({ cmd: bins.nsenter, args: [`--mount=/proc/${ctx.crunMountNsPid}/ns/mnt`, '/bin/true'] }),
    });
  }
  rows.push(
    { id: 'node', label: 'floor: node -e 0', command: () => ({ cmd: process.execPath, args: ['-e', '0'] }) },
    { id: 'true', label: 'floor: /bin/true', command: () => ({ cmd: '/bin/true', args: [] }) },
  );
  ctx.log(`start: ${rows.length} rows × ${ctx.opts.runs} runs (+${ctx.opts.warmups} warmups)`);
  const samples = await interleave(rows, ctx.opts, (row, round) => ({ ms: timedRun(row.command(round)) }), ctx.cleanup);
  const out = rows.map((row) => ({ id: row.id, label: row.label, samples: samples.get(row).ms, summary: summarize(samples.get(row).ms) }));
  const med = (rowId) => out.find((r) => r.id === rowId)?.summary.median;
  const own = (rowId) => med(rowId) - med('node');
  return [{
    id: 'start',
    title: '1. Start: /bin/true in a fresh container',
    unit: 'ms',
    digits: 1,
    subjects: [{ id: 'ctr-none', label: 'ctr none' }, { id: 'ctr-bridge', label: 'ctr bridge' }],
    rows: out,
    extra: {
      ctrOwnMs: { none: own('ctr-none'), bridge: own('ctr-bridge') },
      ...(med('nsenter') !== undefined ? { crunWithoutNsenterMs: med('crun') - med('nsenter') } : {}),
    },
    notes: [
      "ctr's own cost = ctr median − `node -e 0` median: " +
        `${own('ctr-none').toFixed(1)} ms with --net none, ${own('ctr-bridge').toFixed(1)} ms with the bridge.`,
      ...(med('nsenter') !== undefined
        ? [`crun runs inside a private mount namespace (see the bench README); without nsenter's own cost it takes ${(med('crun') - med('nsenter')).toFixed(1)} ms.`]
        : []),
    ],
  }];
}
