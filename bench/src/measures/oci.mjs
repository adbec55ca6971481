// oci.mjs — measure `oci` (issue #12): ctr as an OCI runtime (`ctrun`, packages/oci) beside runc and crun,
// driven the way engines drive them. Two groups:
//   - the lifecycle of `/bin/true` on one bundle: `create --bundle B --pid-file P ID`, `start ID`, wait until
//     the container's init has exited (engines learn it from SIGCHLD as its subreaper; here /proc is polled
//     every millisecond, the same for every runtime), `delete ID` — the calls podman and containerd make;
//   - `podman run --rm … /bin/true` with each runtime, podman keeping its storage and containers.conf in the
//     bench's temporary directory (image imported offline from the default rootfs; `--network none`).
// A runtime whose command fails is a failed row with its last stderr line, not a failed bench: ctrun has
// no lifecycle verbs until they land, and crun 1.8 refuses this hybrid cgroup host under podman (the
// lifecycle rows run crun through the bench's nsenter wrapper, which podman cannot use).
// See runc-create(8), runc-start(8), runc-delete(8), podman-run(1), containers.conf(5).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runtimeCommand } from '../context.mjs';
import { interleave } from '../loop.mjs';
import { writeBundle } from '../peers.mjs';
import { isRunning } from '../procfs.mjs';
import { capture, scrubbedEnv } from '../run.mjs';
import { summarize } from '../stats.mjs';

/**
 * The `ctrun` bin, executed directly (its `#!/usr/bin/env node` line) as an engine executes it; CTR_BENCH_CTRUN
 * names another build (an absolute path) to compare.
 */
export const ctrunPath = process.env.CTR_BENCH_CTRUN || path.join(repoRoot, 'packages/oci/dist/cli.js');
const image = 'localhost/ctr-bench:latest';
const podmanParent = '/libpod_parent';

/**
 * The OCI runtimes of the comparison: how to run one of their verbs with a bench-owned --root.
 * @param {import('../context.mjs').Context} ctx
 * @returns {{ id: string, label: string, path: string, verb: (args: string[]) => { cmd: string, args: string[] } }[]}
 */
function ociRuntimes(ctx) {
  const runtimes = [];
  if (existsSync(ctrunPath)) {
    runtimes.push({ id: 'ctrun', label: 'ctrun', path: ctrunPath, verb: (args) => ({ cmd: ctrunPath, args: ['--root', path.join(ctx.tmp, 'ctrun'), ...args] }) });
  } else ctx.log(`oci: ${ctrunPath} is missing (pnpm build): ctrun rows left out`);
  for (const name of ['runc', 'crun']) {
    if (!ctx.peers.bins[name]) continue;
    const via = name === 'crun' && ctx.crunMountNsPid !== undefined ? ' (via nsenter)' : '';
    runtimes.push({ id: name, label: `${name}${via}`, path: ctx.peers.bins[name], verb: (args) => runtimeCommand(ctx, name, args) });
  }
  return runtimes;
}

/**
 * Runs one command to completion, its stdio not pipes but /dev/null and a file for stderr: `create` hands its
 * stdio to the container, and a pipe would keep this call waiting for the container's end. Throws with
 * `what`, the exit status and the command's last stderr line (the whole command line is in the log).
 * @param {string} what e.g. `ctrun create`
 * @param {{ cmd: string, args: string[], env?: Record<string, string> }} command
 * @param {string} errFile
 */
function step(what, command, errFile) {
  const fd = openSync(errFile, 'w');
  try {
    const res = spawnSync(command.cmd, command.args, { env: command.env ?? scrubbedEnv, stdio: ['ignore', 'ignore', fd], timeout: 60_000 });
    if (res.error || res.status !== 0) {
      const last = readFileSync(errFile, 'utf8').trim().split('\n').pop();
      throw new Error(`${what}: ${res.error?.message ?? `exit ${res.status ?? res.signal}`}: ${last}`, { cause: `${command.cmd} ${command.args.join(' ')}` });
    }
  } finally {
    closeSync(fd);
  }
}

/** Polls /proc every millisecond until `pid` no longer runs (10 s at most). */
function waitExit(pid) {
  const deadline = Date.now() + 10_000;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`container init ${pid} still runs 10 s after start`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
  }
}

/**
 * Interleaved runs where a row that fails once is failed for good: its error is kept and it is not run again,
 * while the other rows go on.
 * @param {import('../context.mjs').Context} ctx
 * @param {{ id: string, label: string, once: (round: number) => number }[]} rows
 */
async function measureRows(ctx, rows) {
  const errors = new Map();
  const samples = await interleave(rows, ctx.opts, (row, round) => {
    if (errors.has(row)) return {};
    try {
      return { ms: row.once(round) };
    } catch (err) {
      ctx.log(`oci: ${row.label} failed: ${err.message}${err.cause ? ` (${err.cause})` : ''}`);
      errors.set(row, err.message);
      return {};
    }
  }, ctx.cleanup);
  return rows.map((row) => {
    const ms = samples.get(row).ms;
    return errors.has(row) || !ms
      ? { id: row.id, label: row.label, error: errors.get(row) ?? 'no sample' }
      : { id: row.id, label: row.label, samples: ms, summary: summarize(ms) };
  });
}

/** @param {import('../context.mjs').Context} ctx */
async function lifecycleGroup(ctx, runtimes) {
  const bundle = writeBundle(ctx.peers, path.join(ctx.tmp, 'bundle-oci'), ctx.rootfs, ['/bin/true']);
  const dir = path.join(ctx.tmp, 'oci');
  mkdirSync(dir, { recursive: true });
  const rows = runtimes.map((rt) => ({
    id: rt.id,
    label: `${rt.label} create + start + delete`,
    once: (round) => {
      const id = `ctrb-oci-${process.pid}-${round}`;
      const [pidFile, errFile] = [path.join(dir, `${rt.id}.pid`), path.join(dir, `${rt.id}.err`)];
      rmSync(pidFile, { force: true });
      const t0 = performance.now();
      try {
        step(`${rt.id} create`, rt.verb(['create', '--bundle', bundle, '--pid-file', pidFile, id]), errFile);
        const pid = Number(readFileSync(pidFile, 'utf8'));
        step(`${rt.id} start`, rt.verb(['start', id]), errFile);
        waitExit(pid);
        step(`${rt.id} delete`, rt.verb(['delete', id]), errFile);
      } catch (err) {
        try {
          step(`${rt.id} delete --force`, rt.verb(['delete', '--force', id]), path.join(dir, 'cleanup.err'));
        } catch {
          // nothing was created, or the runtime cannot delete: the bench's runc/crun sweep and its temp dir go
        }
        throw err;
      }
      return performance.now() - t0;
    },
  }));
  ctx.log(`oci: ${rows.length} lifecycle rows × ${ctx.opts.runs} runs (+${ctx.opts.warmups} warmups)`);
  return {
    id: 'oci',
    title: 'OCI runtime: create + start + delete of /bin/true (as engines call it)',
    unit: 'ms',
    digits: 1,
    subjects: runtimes.some((r) => r.id === 'ctrun') ? [{ id: 'ctrun', label: 'ctrun' }] : [],
    rows: await measureRows(ctx, rows),
    notes: ['Each run: `create --bundle B --pid-file P ID`, `start ID`, wait until the init exits, `delete ID`; same bundle, each runtime with its own `--root`.'],
  };
}

/**
 * A podman of the bench's own (storage, run root, tmp dir and containers.conf under the bench's temporary
 * directory, naming each runtime so podman hands it `--log-format json` as it does runc and crun), with the
 * default rootfs imported as `image`. Its removal is a cleanup step.
 * @param {import('../context.mjs').Context} ctx
 */
function benchPodman(ctx, runtimes) {
  const dir = path.join(ctx.tmp, 'podman');
  for (const sub of ['root', 'runroot', 'tmp', 'networks']) mkdirSync(path.join(dir, sub), { recursive: true });
  const conf = path.join(dir, 'containers.conf');
  const names = runtimes.map((r) => `"${r.id}"`).join(', ');
  writeFileSync(conf, `[network]\nnetwork_config_dir = "${dir}/networks"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n` +
    `runtime_supports_json = [${names}]\n[engine.runtimes]\n${runtimes.map((r) => `${r.id} = ["${r.path}"]`).join('\n')}\n`);
  const env = { ...scrubbedEnv, CONTAINERS_CONF: conf };
  const global = ['--root', `${dir}/root`, '--runroot', `${dir}/runroot`, '--tmpdir', `${dir}/tmp`];
  const parentExisted = existsSync(path.join('/sys/fs/cgroup/pids', podmanParent));
  ctx.cleanup.push('podman storage', () => {
    for (const what of [['rm', '--all', '--force'], ['rmi', '--all', '--force']]) capture(ctx.peers.bins.podman, [...global, ...what], env);
    rmSync(dir, { recursive: true, force: true });
    // podman leaves its cgroup parent (and the conmon group in it) behind: remove the empty groups it made
    if (parentExisted) return;
    for (const h of readdirSync('/sys/fs/cgroup')) {
      for (const group of [path.join('/sys/fs/cgroup', h, podmanParent, 'conmon'), path.join('/sys/fs/cgroup', h, podmanParent)]) {
        if (existsSync(group)) rmdirSync(group);
      }
    }
  });
  const tar = path.join(dir, 'rootfs.tar');
  capture('tar', ['-C', ctx.rootfs, '-cf', tar, '.']);
  capture(ctx.peers.bins.podman, [...global, 'import', '--quiet', tar, image], env);
  rmSync(tar);
  return { cmd: ctx.peers.bins.podman, global, env };
}

/** @param {import('../context.mjs').Context} ctx */
async function podmanGroup(ctx, runtimes) {
  const podman = benchPodman(ctx, runtimes);
  const errFile = path.join(ctx.tmp, 'podman.err');
  const runFlags = ['run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', image, '/bin/true'];
  const rows = runtimes.map((rt) => ({
    id: `podman-${rt.id}`,
    label: `podman --runtime ${rt.id} run --rm`,
    once: () => {
      const t0 = performance.now();
      step(`podman --runtime ${rt.id} run`, { cmd: podman.cmd, args: [...podman.global, '--runtime', rt.id, ...runFlags], env: podman.env }, errFile);
      return performance.now() - t0;
    },
  }));
  ctx.log(`oci: ${rows.length} podman rows × ${ctx.opts.runs} runs (+${ctx.opts.warmups} warmups)`);
  return {
    id: 'oci-podman',
    title: 'OCI runtime under podman: podman run --rm … /bin/true',
    unit: 'ms',
    digits: 1,
    subjects: runtimes.some((r) => r.id === 'ctrun') ? [{ id: 'podman-ctrun', label: 'ctrun' }] : [],
    rows: await measureRows(ctx, rows),
    notes: [
      'podman 4 with `--cgroup-manager=cgroupfs --events-backend=file --network none`, its storage in the bench\'s temporary directory; ' +
        'crun runs directly here (podman cannot use the bench\'s nsenter wrapper), so on a hybrid cgroup host it fails.',
    ],
  };
}

/**
 * @param {import('../context.mjs').Context} ctx
 * @returns {Promise<object[]>} the lifecycle group, and the podman group when podman is installed
 */
export async function measureOci(ctx) {
  const runtimes = ociRuntimes(ctx);
  if (!ctx.peers.bins.runc && !ctx.peers.bins.crun) throw new Error('neither runc nor crun is installed: no OCI bundle to compare on');
  const groups = [await lifecycleGroup(ctx, runtimes)];
  // podman calls each runtime by its path: crun without the bench's mount namespace wrapper
  if (ctx.peers.bins.podman) groups.push(await podmanGroup(ctx, runtimes));
  return groups;
}
