// scale.mjs — measure 4: N `ctr run` processes started at once on the bench bridge, each running the demo
// `server` on a fixed address; the clock stops when every server has answered a TCP hello from the host.
// Then all are stopped with SIGTERM (ctr forwards it; the server exits cleanly) and the bench counts what
// is left: veths on the bridge, state files, IP leases, the containers' cgroups, layers, mounts, shims and
// processes. Must be 0. The detached variant (`scale-detached`) starts N `ctr run -d` at once with addresses
// from ctr's own allocator (a duplicate is an address conflict), then removes all with one `ctr rm -f`.
// Traffic goes only to addresses on the bench bridge, after checking the host routes them there.
// See socket(7), tcp(7), veth(4), cgroups(7).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ctrNet, ctrRun, ctrVerb } from '../context.mjs';
import { assertRoutedToBridge, portsOf } from '../links.mjs';
import { isRunning } from '../procfs.mjs';
import { capture, startTracked, timedRun, waitFor } from '../run.mjs';
import { summarize } from '../stats.mjs';

const greeting = 'hello from the other side';
const port = 8080;

/** Connects once and resolves true when the server's greeting arrived, false on any failure. */
function hello(ip) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: ip, port, timeout: 1000 });
    let got = '';
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.on('data', (d) => {
      got += d;
      if (got.includes(greeting)) done(true);
    });
    sock.on('timeout', () => done(false));
    sock.on('error', () => done(false));
    sock.on('end', () => done(got.includes(greeting)));
  });
}

/** Reads a container's state file once ctr has wired its network (pid and ip set), else undefined. */
function readyState(stateDir, name) {
  try {
    const state = JSON.parse(readFileSync(path.join(stateDir, 'containers', `${name}.json`), 'utf8'));
    return state.pid > 0 && state.ip ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Every cgroup directory `ctr/<id>` below this process's own groups, in any mounted hierarchy. */
function cgroupDirsOf(id) {
  const own = new Set(readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean).map((l) => l.split(':')[2]));
  const dirs = [];
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    for (const p of own) {
      const dir = path.join('/sys/fs/cgroup', hierarchy, p, 'ctr', id);
      if (existsSync(dir)) dirs.push(dir);
    }
  }
  return dirs;
}

/**
 * @param {import('../context.mjs').Context} ctx
 * @param {number} round
 */
async function scaleOnce(ctx, round) {
  const n = ctx.opts.scale;
  const names = Array.from({ length: n }, (_, k) => `ctrb-scale-${round}-${k}`);
  const ips = names.map((_, k) => `10.214.1.${k + 2}`);
  const t0 = performance.now();
  const procs = names.map((name, k) => {
    const c = ctrRun(ctx, ['--name', name, '--ip', ips[k], ctx.rootfs, '/server']);
    return startTracked(ctx.cleanup, c.cmd, c.args, { env: c.env });
  });
  const states = [];
  try {
    let routed = false;
    const answeredAt = await Promise.all(names.map(async (name, k) => {
      states[k] = await waitFor(() => {
        if (procs[k].child.exitCode !== null) throw new Error(`ctr run ${name} exited with ${procs[k].child.exitCode}`);
        return readyState(ctx.stateDir, name);
      }, { timeoutMs: 60_000, intervalMs: 5, what: `${name} to be wired` });
      if (!routed) {
        assertRoutedToBridge(ctrNet.subnet, ctrNet.bridge);
        routed = true;
      }
      await waitFor(async () => ((await hello(ips[k])) ? true : undefined), { timeoutMs: 30_000, intervalMs: 5, what: `${name} to answer` });
      return performance.now() - t0;
    }));
    const stopT0 = performance.now();
    for (const p of procs) p.child.kill('SIGTERM');
    const statuses = await Promise.all(procs.map((p) => p.exited));
    const stopMs = performance.now() - stopT0;
    const failed = statuses.filter((s) => s.code !== 0);
    if (failed.length > 0) throw new Error(`${failed.length} ctr run did not exit 0 after SIGTERM: ${failed[0].stderr || failed[0].code}`);
    const leftovers = await countLeftovers(ctx, states);
    return { allMs: Math.max(...answeredAt), medianMs: summarize(answeredAt).median, stopMs, leftovers };
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
  }
}

/** Mount points on the host below the bench's state directory (ctr mounts layers only inside containers). */
function hostMountsUnder(dir) {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(dir));
}

/**
 * A lease still held: one whose veth the kernel has deleted (with the container's netns) is free to the
 * allocator, and the next ctr command's sweep drops its file (packages/cli/src/runtime/release.ts).
 */
function leaseHeld(file) {
  try {
    const { link } = JSON.parse(readFileSync(file, 'utf8'));
    return link === undefined || existsSync(path.join('/sys/class/net', link));
  } catch {
    return false; // removed meanwhile
  }
}

/**
 * What N stopped containers left behind; each item is one object that should not exist. The kernel tears a
 * dead container's netns (and so its veth) down asynchronously, so the count is taken again for up to 5 s
 * while it is not 0.
 */
async function countLeftovers(ctx, states) {
  const deadline = Date.now() + 5000;
  let items = leftoverItems(ctx, states);
  while (items.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    items = leftoverItems(ctx, states);
  }
  if (items.length > 0) ctx.log(`scale: leftovers: ${items.join(', ')}`);
  return items.length;
}

function leftoverItems(ctx, states) {
  const leases = path.join(ctx.stateDir, 'ipam', ctrNet.bridge);
  const containers = path.join(ctx.stateDir, 'containers');
  return [
    ...portsOf(ctrNet.bridge).map((name) => `veth ${name}`),
    ...(existsSync(containers) ? readdirSync(containers).map((f) => `state ${f}`) : []),
    ...(existsSync(leases) ? readdirSync(leases).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f) && leaseHeld(path.join(leases, f))).map((f) => `lease ${f}`) : []),
    ...states.flatMap((s) => cgroupDirsOf(s.id).map((d) => `cgroup ${d}`)),
    ...states.filter((s) => s.layer && existsSync(s.layer)).map((s) => `layer ${s.layer}`),
    ...hostMountsUnder(ctx.stateDir).map((m) => `mount ${m}`),
    ...states.filter((s) => isRunning(s.pid)).map((s) => `process ${s.pid}`),
    ...states.filter((s) => s.shimPid && isRunning(s.shimPid)).map((s) => `shim ${s.shimPid}`),
  ];
}

/**
 * The number of addresses held by more than one container, from the containers' states.
 * @param {(string | undefined)[]} ips
 */
export function addressConflicts(ips) {
  const seen = new Map();
  for (const ip of ips) if (ip) seen.set(ip, (seen.get(ip) ?? 0) + 1);
  return [...seen.values()].filter((n) => n > 1).length;
}

/** The last lines a detached container wrote (`ctr logs`), for a failure message. */
function logOf(ctx, name) {
  const c = ctrVerb(ctx, 'logs', [name]);
  try {
    return JSON.stringify(capture(c.cmd, c.args, c.env).trim().split('\n').slice(-3).join(' | '));
  } catch (err) {
    return `unreadable: ${err.message}`;
  }
}

/**
 * One run of the detached variant: N `ctr run -d` at once (addresses from ctr's allocator), each waited for
 * until its server answers; then one `ctr rm -f` of all that exist and the leftover count. A container
 * that fails to start or never answers does not stop the run: it is counted, and its reason logged.
 * @param {import('../context.mjs').Context} ctx
 * @param {number} round
 */
async function scaleDetachedOnce(ctx, round) {
  const n = ctx.opts.detachedScale;
  const names = Array.from({ length: n }, (_, k) => `ctrb-sd-${round}-${k}`);
  const states = [];
  const t0 = performance.now();
  const procs = names.map((name) => {
    const c = ctrRun(ctx, ['-d', '--name', name, ctx.rootfs, '/server']);
    return startTracked(ctx.cleanup, c.cmd, c.args, { env: c.env });
  });
  let routed = false;
  const outcomes = await Promise.all(names.map(async (name, k) => {
    const status = await procs[k].exited;
    if (status.code !== 0) return { failed: `ctr run -d ${name} exited with ${status.code ?? status.signal}: ${status.stderr}` };
    states[k] = readyState(ctx.stateDir, name);
    if (!states[k]) return { failed: `ctr run -d ${name} exited 0 but its state is gone or has no pid or ip` };
    if (!routed) {
      assertRoutedToBridge(ctrNet.subnet, ctrNet.bridge);
      routed = true;
    }
    try {
      await waitFor(async () => ((await hello(states[k].ip)) ? true : undefined), { timeoutMs: 20_000, intervalMs: 5, what: `${name} at ${states[k].ip} to answer` });
    } catch (err) {
      return { failed: `${err.message} (its log: ${logOf(ctx, name)})` };
    }
    return { ms: performance.now() - t0 };
  }));
  const answeredAt = outcomes.filter((o) => o.ms !== undefined).map((o) => o.ms);
  const failures = outcomes.filter((o) => o.failed).map((o) => o.failed);
  for (const f of failures.slice(0, 5)) ctx.log(`scale-detached: ${f}`);
  const conflicts = addressConflicts(states.map((s) => s?.ip));
  const existing = names.filter((name) => existsSync(path.join(ctx.stateDir, 'containers', `${name}.json`)));
  const removeMs = existing.length > 0 ? timedRun(ctrVerb(ctx, 'rm', ['-f', ...existing])) : 0;
  const leftovers = await countLeftovers(ctx, states.filter(Boolean));
  if (answeredAt.length === 0) throw new Error(`none of ${n} containers answered: ${failures[0]}`);
  return { allMs: Math.max(...answeredAt), medianMs: summarize(answeredAt).median, removeMs, conflicts, leftovers, failed: failures.length };
}

/**
 * One warmup run, then `count` measured runs of `once`, one after another (each starts many containers).
 * @template R
 * @param {import('../context.mjs').Context} ctx
 * @param {number} count
 * @param {(ctx: import('../context.mjs').Context, round: number) => Promise<R>} once
 * @returns {Promise<R[]>}
 */
async function rounds(ctx, count, once) {
  const runs = [];
  for (let round = 0; round <= count; round++) {
    ctx.cleanup.assertOpen();
    const r = await once(ctx, round);
    if (round > 0) runs.push(r);
  }
  return runs;
}

/** A table row of one metric over the runs. */
const rowOf = (runs) => (id, label, metric) => {
  const samples = runs.map((r) => r[metric]);
  return { id, label, samples, summary: summarize(samples) };
};

/**
 * `scale-detached`: N detached containers at once on the bridge, a few runs (each starts N).
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>} one group
 */
export async function measureScaleDetached(ctx) {
  const { detachedScale: n, detachedScaleRuns } = ctx.opts;
  ctx.log(`scale-detached: ${n} detached containers at once × ${detachedScaleRuns} runs (+1 warmup)`);
  const runs = await rounds(ctx, detachedScaleRuns, scaleDetachedOnce);
  const row = rowOf(runs);
  const leftovers = runs.reduce((sum, r) => sum + r.leftovers, 0);
  const conflicts = runs.reduce((sum, r) => sum + r.conflicts, 0);
  const failed = runs.reduce((sum, r) => sum + r.failed, 0);
  return [{
    id: 'scale-detached',
    title: `4b. Scale: ${n} detached containers started at once on the bridge`,
    unit: 'ms',
    digits: 0,
    subjects: [],
    rows: [
      row('all', `time until all ${n} \`ctr run -d\` answered a TCP hello`, 'allMs'),
      row('median', 'time until the median container answered', 'medianMs'),
      row('rm', `one \`ctr rm -f\` of all ${n}`, 'removeMs'),
    ],
    extra: { leftovers, conflicts, failed, scale: n },
    notes: [
      `Containers that failed to start or never answered within 20 s (the times above count only those that answered), ` +
        `summed over ${runs.length} runs: **${failed}** (must be 0). ` +
      `Address conflicts (an address held by two containers), summed over ${runs.length} runs: **${conflicts}** (must be 0). ` +
        `Leftovers after \`ctr rm -f\` (veths, state files, leases, cgroups, layers, mounts, processes, shims): **${leftovers}** (must be 0).`,
    ],
  }];
}

/**
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>} one group
 */
export async function measureScale(ctx) {
  const { scale, scaleRuns } = ctx.opts;
  ctx.log(`scale: ${scale} containers at once × ${scaleRuns} runs (+1 warmup)`);
  const runs = await rounds(ctx, scaleRuns, scaleOnce);
  const row = rowOf(runs);
  const leftovers = runs.reduce((sum, r) => sum + r.leftovers, 0);
  return [{
    id: 'scale',
    title: `4. Scale: ${scale} containers started at once on the bridge`,
    unit: 'ms',
    digits: 0,
    subjects: [],
    rows: [
      row('all', `time until all ${scale} answered a TCP hello`, 'allMs'),
      row('median', 'time until the median container answered', 'medianMs'),
      row('stop', `SIGTERM to all ${scale} until every ctr exited`, 'stopMs'),
    ],
    extra: { leftovers, scale },
    notes: [`Leftovers after stopping (veths, state files, leases, cgroups, processes), summed over ${runs.length} runs: **${leftovers}** (must be 0).`],
  }];
}
