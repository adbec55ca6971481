// detached.mjs — the measures of detached containers (issue #11), ctr beside runc and crun in the same run:
// host memory of what stays on the host per detached container running `sleep` (`detached`), the wall time
// of `exec /bin/true` into a running container (`exec`), and `run -d` + forced removal as one start row.
// What "stays" is found, not assumed: the chain of parents above the container's PID 1 up to init (or the
// bench's own ancestors, which may be subreapers). ctr leaves its ctr-shim there; `runc run -d` and
// `crun run -d` hand the container to init and leave nothing, so an engine adds its own supervisor: when
// conmon is installed, a row runs runc under conmon the way podman does (conmon runs `runc create`, then
// `runc start`), and conmon is what stays.
// See proc(5) /proc/PID/stat and smaps_rollup, runc-run(8) --detach, runc-exec(8), conmon(8), nsenter(1).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ctrRun, ctrVerb, runtimeCommand } from '../context.mjs';
import { interleave } from '../loop.mjs';
import { writeBundle } from '../peers.mjs';
import { sampleMemoryRows } from './memory.mjs';
import { memoryOf, parentOf, parentsUntil } from '../procfs.mjs';
import { capture, timedRun } from '../run.mjs';
import { summarize } from '../stats.mjs';

const settleMs = 300;
const sleepArgs = ['/bin/sleep', '1000'];

/** The bench and its ancestors: an orphaned container may be reparented to one of them (a subreaper). */
function benchAndAncestors() {
  return new Set([process.pid, ...parentsUntil(parentOf, process.pid, new Set())]);
}

/** The host PID of a runc or crun container's PID 1, from `state`. */
function statePid(ctx, name, id) {
  const c = runtimeCommand(ctx, name, ['state', id]);
  return JSON.parse(capture(c.cmd, c.args)).pid;
}

/**
 * Runs commands one after another (run.mjs `timedRun`), returning their summed wall time. A command with
 * `thenFile` counts until that file exists: conmon returns before its `runc create` has finished (podman
 * learns the end over a sync pipe), and runc writes the container's pid file last.
 * @param {({ cmd: string, args: string[], thenFile?: string } & object)[]} commands
 */
function timedRuns(commands) {
  let ms = 0;
  for (const c of commands) {
    const t0 = performance.now();
    timedRun(c);
    const deadline = Date.now() + 10_000;
    while (c.thenFile && !existsSync(c.thenFile)) {
      if (Date.now() > deadline) throw new Error(`${c.cmd} did not create ${c.thenFile} within 10 s`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
    ms += performance.now() - t0;
  }
  return ms;
}

/**
 * Detached runtimes as rows: how to start a container running `sleep` (commands run one after another),
 * find its PID 1 on the host, and remove it by force. Commands are for run.mjs; ctr's container is
 * addressed by name.
 * @param {import('../context.mjs').Context} ctx
 * @param {string} bundleName directory below the bench's temporary directory, one per measure
 * @returns {{ id: string, label: string, start: (name: string) => object[], pid: (name: string) => number, remove: (name: string) => object, removeLabel: string }[]}
 */
function detachedRuntimes(ctx, bundleName) {
  const runtimes = [{
    id: 'ctr',
    label: 'ctr run -d --net none',
    start: (name) => [ctrRun(ctx, ['-d', '--net', 'none', '--name', name, ctx.rootfs, ...sleepArgs])],
    pid: (name) => JSON.parse(readFileSync(path.join(ctx.stateDir, 'containers', `${name}.json`), 'utf8')).pid,
    remove: (name) => ctrVerb(ctx, 'rm', ['-f', name]),
    removeLabel: 'ctr rm -f',
  }];
  const bundle = ctx.peers.bins.runc || ctx.peers.bins.crun
    ? writeBundle(ctx.peers, path.join(ctx.tmp, bundleName), ctx.rootfs, sleepArgs)
    : undefined;
  for (const name of ['runc', 'crun']) {
    if (!ctx.peers.bins[name]) continue;
    const via = name === 'crun' && ctx.crunMountNsPid !== undefined ? ' (via nsenter)' : '';
    runtimes.push({
      id: name,
      label: `${name} run -d${via}`,
      start: (id) => [{ ...runtimeCommand(ctx, name, ['run', '--detach', '--bundle', bundle, id]), detaches: true }],
      pid: (id) => statePid(ctx, name, id),
      remove: (id) => runtimeCommand(ctx, name, ['delete', '--force', id]),
      removeLabel: `${name} delete --force`,
    });
  }
  const { conmon, runc } = ctx.peers.bins;
  if (conmon && runc) {
    const dir = path.join(ctx.tmp, 'conmon');
    mkdirSync(dir, { recursive: true });
    const file = (id, what) => path.join(dir, `${id}.${what}`);
    runtimes.push({
      id: 'conmon',
      label: 'conmon + runc (as podman runs it)',
      start: (id) => [
        {
          cmd: conmon,
          args: [
            '--api-version', '1', '-c', id, '-u', id, '-n', id, '-r', runc, '-b', bundle,
            '-p', file(id, 'pid'), '-P', file(id, 'conmon.pid'), '-l', `k8s-file:${file(id, 'log')}`,
            '--exit-dir', dir, '--socket-dir-path', dir, '--runtime-arg', '--root', '--runtime-arg', path.join(ctx.tmp, 'runc'),
            '--log-level', 'error',
          ],
          detaches: true,
          thenFile: file(id, 'pid'),
        },
        runtimeCommand(ctx, 'runc', ['start', id]),
      ],
      pid: (id) => statePid(ctx, 'runc', id),
      remove: (id) => runtimeCommand(ctx, 'runc', ['delete', '--force', id]),
      removeLabel: 'runc delete --force',
    });
  }
  return runtimes;
}

/**
 * One detached container: start it, find what stays above it on the host, let that settle, read its
 * memory, remove the container.
 * @param {import('../context.mjs').Context} ctx
 * @param {ReturnType<typeof detachedRuntimes>[number]} runtime
 * @param {string} name
 * @param {Set<number>} stopAt
 */
async function detachedMemoryOnce(ctx, runtime, name, stopAt) {
  timedRuns(runtime.start(name));
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    const stays = parentsUntil(parentOf, runtime.pid(name), stopAt);
    let rss = 0;
    let pss = 0;
    for (const pid of stays) {
      const m = memoryOf(pid);
      if (!m) throw new Error(`${runtime.label}: host process ${pid} exited while its container ran`);
      rss += m.rss;
      pss += m.pss;
    }
    return { rss: rss / 2 ** 20, pss: pss / 2 ** 20, processes: stays.length };
  } finally {
    timedRun(runtime.remove(name));
  }
}

/**
 * `detached`: host memory per detached container, and `run -d` + forced removal timed as one start.
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>}
 */
export async function measureDetached(ctx) {
  const runtimes = detachedRuntimes(ctx, 'bundle-detached');
  const stopAt = benchAndAncestors();
  const name = (round) => `ctrb-det-${process.pid}-${round}`;
  ctx.log(`detached: ${runtimes.length} rows × ${ctx.opts.memoryRuns} memory runs (+1 warmup), then ${ctx.opts.runs} timed starts`);
  const { group: memoryGroup, processCounts } = await sampleMemoryRows(
    ctx, runtimes, (rt, round) => detachedMemoryOnce(ctx, rt, name(round), stopAt), { idPrefix: 'detached', subject: { id: 'ctr', label: 'ctr' } },
  );
  const counted = Object.entries(processCounts).map(([id, n]) => `${id} ${n}`).join(', ');

  const starts = await interleave(runtimes, ctx.opts, (rt, round) => {
    const id = `ctrb-dstart-${process.pid}-${round}`;
    return { ms: timedRuns([...rt.start(id), rt.remove(id)]) };
  }, ctx.cleanup);
  return [
    memoryGroup('pss', '3c. Host memory per detached container — PSS',
      `Counted: every process left above the container's PID 1 on the host (up to init) while it runs \`sleep\`; per runtime: ${counted}. ` +
        "For ctr that is its ctr-shim, for podman's way of running runc its conmon. `runc run -d` and `crun run -d` leave no process " +
        "of their own (the container is init's child), so they count 0; an engine adds its supervisor (conmon's row; containerd's shim is not measured)."),
    memoryGroup('rss', '3d. Host memory per detached container — RSS', 'RSS counts shared pages (libc) in full.'),
    {
      id: 'start-detached',
      title: '1b. Start detached: `run -d` of `sleep` + forced removal',
      unit: 'ms',
      digits: 1,
      subjects: [{ id: 'ctr', label: 'ctr' }],
      rows: runtimes.map((rt) => ({ id: rt.id, label: `${rt.label} + ${rt.removeLabel}`, samples: starts.get(rt).ms, summary: summarize(starts.get(rt).ms) })),
      notes: ['The commands timed back to back, each spawned by the harness: ctr is two Node starts, conmon + runc three execs (conmon, `runc start`, `runc delete`).'],
    },
  ];
}

/**
 * `exec`: wall time of `exec /bin/true` into a running container of each runtime, beside `nsenter -a` into
 * ctr's container (what entering the namespaces costs without a runtime) and the floors.
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>}
 */
export async function measureExec(ctx) {
  const { bins } = ctx.peers;
  // conmon's container is a runc container: `runc exec` is already a row.
  const runtimes = detachedRuntimes(ctx, 'bundle-exec').filter((rt) => rt.id !== 'conmon');
  const name = `ctrb-exec-${process.pid}`;
  const started = [];
  try {
    for (const rt of runtimes) {
      ctx.cleanup.assertOpen();
      timedRuns(rt.start(name));
      started.push(rt);
    }
    const ctrPid = runtimes[0].pid(name);
    const rows = [
      { id: 'ctr', label: `ctr exec NAME /bin/true`, command: () => ctrVerb(ctx, 'exec', [name, '/bin/true']) },
      ...runtimes.slice(1).map((rt) => ({
        id: rt.id,
        label: `${rt.id} exec ID /bin/true${rt.label.includes('nsenter') ? ' (via nsenter)' : ''}`,
        command: () => runtimeCommand(ctx, rt.id, ['exec', name, '/bin/true']),
      })),
    ];
    if (bins.nsenter) rows.push({ id: 'nsenter', label: 'nsenter -a -t PID /bin/true (ctr\'s container)', command: () => ({ cmd: bins.nsenter, args: ['-a', '-t', String(ctrPid), '/bin/true'] }) });
    rows.push(
      { id: 'node', label: 'floor: node -e 0', command: () => ({ cmd: process.execPath, args: ['-e', '0'] }) },
      { id: 'true', label: 'floor: /bin/true', command: () => ({ cmd: '/bin/true', args: [] }) },
    );
    ctx.log(`exec: ${rows.length} rows × ${ctx.opts.runs} runs (+${ctx.opts.warmups} warmups)`);
    const samples = await interleave(rows, ctx.opts, (row) => ({ ms: timedRun(row.command()) }), ctx.cleanup);
    const out = rows.map((row) => ({ id: row.id, label: row.label, samples: samples.get(row).ms, summary: summarize(samples.get(row).ms) }));
    const med = (id) => out.find((r) => r.id === id)?.summary.median;
    return [{
      id: 'exec',
      title: '7. Exec: /bin/true into a running container',
      unit: 'ms',
      digits: 1,
      subjects: [{ id: 'ctr', label: 'ctr' }],
      rows: out,
      extra: { ctrOwnMs: med('ctr') - med('node') },
      notes: [`ctr exec's own cost = its median − \`node -e 0\`'s: ${(med('ctr') - med('node')).toFixed(1)} ms.`],
    }];
  } finally {
    for (const rt of started) timedRun(rt.remove(name));
  }
}
