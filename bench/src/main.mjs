#!/usr/bin/env node
// main.mjs — `pnpm bench`: runs the measures side by side on this machine, in this run, and writes
// results/latest.json and results/latest.md. Installs nothing; missing peers are skipped and listed.
// Needs root (namespaces, veths, cgroups) and a built ctr (pnpm build) plus its default rootfs.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseOptions, usage } from './args.mjs';
import { Cleanup } from './cleanup.mjs';
import { cliPath, ctrEnv, ctrNet, defaultRootfs, removeAllContainers, repoRoot, runtimeCommand, setupNet } from './context.mjs';
import { deleteLinkIfPresent } from './links.mjs';
import { claimRun } from './lock.mjs';
import { describeMachine, recordLoad, waitQuiet } from './machine.mjs';
import { crunNeedsPrivateMountNs, findPeers, startCrunMountNs } from './peers.mjs';
import { capture } from './run.mjs';
import { checkTargets, renderMarkdown } from './report.mjs';
import { measureCpu } from './measures/cpu.mjs';
import { measureDetached, measureExec } from './measures/detached.mjs';
import { measureMemory } from './measures/memory.mjs';
import { measureNetSetup } from './measures/netsetup.mjs';
import { measureOci } from './measures/oci.mjs';
import { measureScale, measureScaleDetached } from './measures/scale.mjs';
import { measureStart } from './measures/start.mjs';
import { measureSandbox } from './measures/sandbox.mjs';
import { measureThroughput } from './measures/throughput.mjs';

const measures = {
  start: measureStart,
  netsetup: measureNetSetup,
  memory: measureMemory,
  scale: measureScale,
  cpu: measureCpu,
  throughput: measureThroughput,
  detached: measureDetached,
  exec: measureExec,
  'scale-detached': measureScaleDetached,
  oci: measureOci,
  sandbox: measureSandbox,
};

const log = (line) => process.stderr.write(`bench: ${line}\n`);

/** Deletes whatever runc or crun still lists under the bench's own state root. */
function deleteRuntimeLeftovers(ctx, name) {
  if (!ctx.peers.bins[name] || !existsSync(path.join(ctx.tmp, name))) return;
  const run = (args) => {
    const c = runtimeCommand(ctx, name, args);
    return capture(c.cmd, c.args);
  };
  for (const id of run(['list', '-q']).split('\n').filter(Boolean)) run(['delete', '--force', id]);
}

async function main() {
  const benchDir = path.join(repoRoot, 'bench');
  const opts = parseOptions(process.argv.slice(2), { cores: os.cpus().length, benchDir });
  if (opts.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error('the bench needs root: containers need namespaces, veths and cgroups');
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run pnpm build first`);
  if (!existsSync(path.join(defaultRootfs, 'bin'))) throw new Error(`${defaultRootfs} is missing: run node ${cliPath} rootfs build`);

  const cleanup = new Cleanup();
  cleanup.installSignalHandlers(log);
  const stateDir = claimRun(log);
  cleanup.push('ctr state directory', () => {
    // Any ctr command first sweeps what dead supervisors left (cgroups, leases, state files): this matters
    // only when a ctr run had to be killed, since its own cleanup did not run then. Detached containers
    // still run under their shims: those are removed by name.
    capture(process.execPath, [cliPath, 'ps'], ctrEnv(stateDir));
    removeAllContainers(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  });
  cleanup.push('bench bridges', () => {
    deleteLinkIfPresent(ctrNet.bridge);
    deleteLinkIfPresent(setupNet.bridge);
  });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ctr-bench-'));
  cleanup.push('bundles', () => rmSync(tmp, { recursive: true, force: true }));

  const peers = findPeers();
  if (peers.missing.length > 0) log(`missing (skipped): ${peers.missing.join(', ')}`);
  /** @type {import('./context.mjs').Context} */
  const ctx = { opts, cleanup, peers, tmp, stateDir, rootfs: defaultRootfs, crunMountNsPid: undefined, log };
  if (peers.bins.crun && crunNeedsPrivateMountNs()) {
    if (peers.bins.unshare && peers.bins.nsenter) ctx.crunMountNsPid = await startCrunMountNs(cleanup, peers.bins);
    else {
      log('crun needs a private mount namespace on this host, but unshare or nsenter is missing: crun skipped');
      peers.bins.crun = undefined;
      peers.missing.push('crun (needs unshare and nsenter here)');
    }
  }
  cleanup.push('runc and crun containers', () => {
    deleteRuntimeLeftovers(ctx, 'runc');
    deleteRuntimeLeftovers(ctx, 'crun');
  });

  const started = new Date();
  const groups = [];
  try {
    for (const name of opts.only) {
      const wait = await waitQuiet(opts);
      if (cleanup.closing) break;
      log(`${name}: load ${wait.load1} after waiting ${(wait.waitedMs / 1000).toFixed(0)} s${wait.quiet ? '' : ' (not quiet: max wait reached)'}`);
      const stop = recordLoad();
      try {
        for (const group of await measures[name](ctx)) groups.push({ ...group, wait, load: stop() });
      } catch (err) {
        log(`${name} failed: ${err.stack ?? err}`);
        groups.push({ id: name, title: name, error: String(err.message ?? err), wait, load: stop() });
      }
    }
  } finally {
    // After a signal the handler already runs the cleanup and exits; this awaits the same run.
    const interrupted = cleanup.closing;
    const errors = await cleanup.run();
    if (!interrupted) for (const e of errors) log(e.message);
  }
  if (cleanup.interrupted) return 130;

  const results = {
    date: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    command: `pnpm bench${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    quick: opts.quick,
    machine: describeMachine(),
    peers: { versions: peers.versions, missing: peers.missing },
    options: { ...opts, out: undefined },
    groups,
  };
  results.targets = checkTargets(results);
  mkdirSync(opts.out, { recursive: true });
  const markdown = renderMarkdown(results);
  writeFileSync(path.join(opts.out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(opts.out, 'latest.md'), markdown);
  process.stdout.write(markdown);
  log(`wrote ${path.join(opts.out, 'latest.json')} and latest.md`);
  return groups.some((g) => g.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(err.message ?? String(err));
    process.exit(1);
  },
);
