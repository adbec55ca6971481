// start.mjs — measure 1: wall time of `/bin/true` in a fresh container, from spawn to exit as seen by the
// harness, for ctr (--net none and the bridge), runc, crun, bwrap and unshare, beside the floors `node -e 0`
// and `/bin/true`. ctr is a Node program, so its own cost is ctr minus `node -e 0`. The library rows run the
// same containers in one warm Node process (inprocess-worker.mjs): one after another, and 50 at once.
// See clone(2), namespaces(7), runc-run(8), bwrap(1), unshare(1).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crunRun, ctrEnv, ctrRun, runcRun } from '../context.mjs';
import { interleave } from '../loop.mjs';
import { capture, timedRun } from '../run.mjs';
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
  out.push(...libraryRows(ctx));
  const med = (rowId) => out.find((r) => r.id === rowId)?.summary.median;
  const own = (rowId) => med(rowId) - med('node');
  const rate = (rowId) => 1000 / med(rowId);
  return [{
    id: 'start',
    title: '1. Start: /bin/true in a fresh container',
    unit: 'ms',
    digits: 1,
    subjects: [{ id: 'ctr-none', label: 'ctr none' }, { id: 'ctr-bridge', label: 'ctr bridge' }],
    rows: out,
    extra: {
      ctrOwnMs: { none: own('ctr-none'), bridge: own('ctr-bridge') },
      bridgeOverNoneMs: med('ctr-bridge') - med('ctr-none'),
      ...(med('runc') !== undefined ? { noneOverRunc: med('ctr-none') / med('runc') } : {}),
      libraryPerSecond: { none: rate('lib-none-50'), bridge: rate('lib-bridge-50') },
      ...(med('nsenter') !== undefined ? { crunWithoutNsenterMs: med('crun') - med('nsenter') } : {}),
    },
    notes: [
      `The library rows are ms per container in one warm process (@ctr/cli runContainer); 50 at once: ${rate('lib-none-50').toFixed(0)} containers/s ` +
        `with --net none, ${rate('lib-bridge-50').toFixed(0)}/s with the bridge.`,
      "ctr's own cost = ctr median − `node -e 0` median: " +
        `${own('ctr-none').toFixed(1)} ms with --net none, ${own('ctr-bridge').toFixed(1)} ms with the bridge.`,
      ...(med('nsenter') !== undefined
        ? [`crun runs inside a private mount namespace (see the bench README); without nsenter's own cost it takes ${(med('crun') - med('nsenter')).toFixed(1)} ms.`]
        : []),
    ],
  }];
}

/**
 * The in-process rows: one child Node process runs the library rounds (inprocess-worker.mjs) with ctr's bench
 * environment; at least 3 rounds of 10 sequential and 50 concurrent containers per network mode.
 * @param {import('../context.mjs').Context} ctx
 */
function libraryRows(ctx) {
  const rounds = Math.max(3, Math.round(ctx.opts.runs / 5));
  ctx.log(`start: library rows, ${rounds} rounds of 10 in sequence and 50 at once, per network mode`);
  const worker = fileURLToPath(new URL('../inprocess-worker.mjs', import.meta.url));
  const res = JSON.parse(capture(process.execPath, [worker, ctx.rootfs, String(rounds), '10', '50'], ctrEnv(ctx.stateDir)));
  const row = (id, label, samples) => ({ id, label, samples, summary: summarize(samples) });
  return [
    row('lib-none', 'library runContainer --net none, in sequence (per container)', res.none.seq),
    row('lib-bridge', 'library runContainer (bridge), in sequence (per container)', res.bridge.seq),
    row('lib-none-50', 'library runContainer --net none, 50 at once (wall ÷ 50)', res.none.par),
    row('lib-bridge-50', 'library runContainer (bridge), 50 at once (wall ÷ 50)', res.bridge.par),
  ];
}
