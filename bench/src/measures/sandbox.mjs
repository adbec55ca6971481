// sandbox.mjs — measure 11: code-runner submissions per second. One submission is what a judge runs: a
// program fed a line on stdin whose answer is captured from stdout, in a fresh container with 64 MiB, 32
// processes and no network. A round starts a batch of submissions at once and waits for all of them; the
// figure is the batch size over the round's wall time. Rows: ctr's library run() (in this process: no CLI
// start-up), beside the same batch as separate `runc run` / `crun run` processes with the same limits in their
// bundle, and `bwrap --unshare-all`, which has no cgroup limits (its row says so). Peers that are absent are
// listed as missing by main.mjs.
// See runc-run(8), bwrap(1), cgroups(7).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliPath, crunRun, runcRun } from '../context.mjs';
import { interleave } from '../loop.mjs';
import { writeBundle } from '../peers.mjs';
import { scrubbedEnv } from '../run.mjs';
import { summarize } from '../stats.mjs';

const BATCH = 20;
const MiB = 2 ** 20;
const script = 'read x; echo "$x"';

/** Runs `command` with `input` on stdin; resolves with its stdout, rejects on a non-zero exit. */
function submit(command, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(command.cmd, command.args, { env: command.env ?? scrubbedEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command.cmd} ${command.args.join(' ')}: exit ${code}: ${err.trim()}`))));
    child.stdin.end(input);
  });
}

/** Adds the judge's limits to a bundle made by writeBundle: 64 MiB without swap, 32 pids, no network but lo. */
function limitBundle(dir) {
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.linux.resources = { ...config.linux.resources, memory: { limit: 64 * MiB, swap: 64 * MiB }, pids: { limit: 32 } };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>} one group
 */
export async function measureSandbox(ctx) {
  const { bins } = ctx.peers;
  // the library reads its state directory when loaded: the bench's own, as the CLI rows get through env
  process.env.CTR_STATE_DIR = ctx.stateDir;
  const { run } = await import(pathToFileURL(path.join(path.dirname(cliPath), 'index.js')).href);
  const bundle = bins.runc || bins.crun ? writeBundle(ctx.peers, path.join(ctx.tmp, 'bundle-sandbox'), ctx.rootfs, ['/bin/sh', '-c', script]) : undefined;
  if (bundle) limitBundle(bundle);
  let serial = 0;
  const id = () => `ctrb-sb-${process.pid}-${serial++}`;
  const rows = [{
    id: 'ctr-lib',
    label: 'ctr run() (library, 64 MiB, 32 pids, net none, 2 s)',
    batch: (inputs) => Promise.all(inputs.map((input) =>
      run({ rootfs: ctx.rootfs, command: ['/bin/sh', '-c', script], stdin: input, memory: '64m', pidsLimit: 32, net: 'none', timeoutMs: 2000 })
        .then((r) => (r.exitCode === 0 ? r.stdout : Promise.reject(new Error(`run(): exit ${r.exitCode}: ${r.stderr}`)))))),
  }];
  if (bins.runc) rows.push({ id: 'runc', label: 'runc run (bundle: 64 MiB, 32 pids)', batch: (inputs) => Promise.all(inputs.map((i) => submit(runcRun(ctx, bundle, id()), i))) });
  if (bins.crun) {
    const via = ctx.crunMountNsPid === undefined ? '' : ', via nsenter';
    rows.push({ id: 'crun', label: `crun run (bundle: 64 MiB, 32 pids${via})`, batch: (inputs) => Promise.all(inputs.map((i) => submit(crunRun(ctx, bundle, id()), i))) });
  }
  if (bins.bwrap) {
    const args = ['--unshare-all', '--die-with-parent', '--ro-bind', ctx.rootfs, '/', '--proc', '/proc', '--dev', '/dev', '/bin/sh', '-c', script];
    rows.push({ id: 'bwrap', label: 'bwrap --unshare-all (no cgroup limits)', batch: (inputs) => Promise.all(inputs.map((i) => submit({ cmd: bins.bwrap, args }, i))) });
  }
  ctx.log(`sandbox: ${rows.length} rows × ${ctx.opts.runs} rounds of ${BATCH} concurrent submissions (+${ctx.opts.warmups} warmups)`);
  const samples = await interleave(rows, ctx.opts, async (row) => {
    const inputs = Array.from({ length: BATCH }, (_, i) => `${i}\n`);
    const t0 = process.hrtime.bigint();
    const outputs = await row.batch(inputs);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const wrong = outputs.findIndex((out, i) => out !== inputs[i]);
    if (wrong >= 0) throw new Error(`${row.label}: submission ${wrong} answered ${JSON.stringify(outputs[wrong])}`);
    return { perSecond: BATCH / seconds };
  }, ctx.cleanup);
  return [{
    id: 'sandbox',
    title: `11. Code-runner submissions per second (${BATCH} at once: stdin in, stdout captured)`,
    unit: 'submissions/s',
    digits: 1,
    subjects: [{ id: 'ctr-lib', label: 'ctr run()' }],
    rows: rows.map((row) => ({ id: row.id, label: row.label, samples: samples.get(row).perSecond, summary: summarize(samples.get(row).perSecond) })),
    notes: [
      'Higher is better. ctr runs in the bench process through its library; the peers are one process per submission, as a runner would spawn them.',
      ...(bins.bwrap ? ['bwrap has no cgroup support: its row runs without the memory and pids limits.'] : []),
    ],
  }];
}
