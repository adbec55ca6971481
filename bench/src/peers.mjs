// peers.mjs — the other runtimes and tools the bench compares ctr with. The harness installs nothing: a peer
// that is not on PATH is skipped and listed as missing. runc and crun get an OCI bundle for the same rootfs
// ctr uses (generated with their own `spec` command, root made read-only so no runtime alters the rootfs).
// crun 1.8 refuses hybrid cgroup hosts whose cgroup2 mount has controllers (here: hugetlb) even with
// --cgroup-manager=disabled, so on such a host crun runs in a private mount namespace without that cgroup2
// mount, entered with nsenter(1); the start table has an `nsenter` floor row for that wrapper.
// See runc-spec(8), crun(1), mount_namespaces(7), nsenter(1).
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { capture, scrubbedEnv, waitFor } from './run.mjs';
import { parsePidStat } from './procfs.mjs';

const tools = ['runc', 'crun', 'bwrap', 'unshare', 'nsenter', 'ip', 'iperf3', 'conmon', 'podman'];

/** Finds an executable on the scrubbed PATH. */
function which(name) {
  for (const dir of scrubbedEnv.PATH.split(':')) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function versionOf(name, bin) {
  try {
    return capture(bin, name === 'ip' ? ['-V'] : ['--version']).split('\n')[0].trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Finds the peers on PATH.
 * @returns {{ bins: Record<string, string | undefined>, versions: Record<string, string>, missing: string[] }}
 */
export function findPeers() {
  const bins = {};
  const versions = {};
  const missing = [];
  for (const name of tools) {
    bins[name] = which(name);
    if (bins[name]) versions[name] = versionOf(name, bins[name]);
    else missing.push(name);
  }
  return { bins, versions, missing };
}

/**
 * Writes an OCI bundle (config.json only; the root is the shared rootfs, read-only) running `args`.
 * @param {{ bins: Record<string, string | undefined> }} peers
 * @param {string} dir new directory for the bundle
 * @param {string} rootfs absolute path
 * @param {string[]} args
 */
export function writeBundle(peers, dir, rootfs, args) {
  const generator = peers.bins.runc ?? peers.bins.crun;
  if (!generator) throw new Error('neither runc nor crun is installed: no OCI bundle');
  mkdirSync(dir, { recursive: true });
  capture(generator, ['spec', '--bundle', dir]);
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.root = { path: rootfs, readonly: true };
  config.hostname = 'bench';
  config.process.terminal = false;
  config.process.args = args;
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}

/** True when crun would refuse this host: cgroup v1 controllers plus a cgroup2 mount that has controllers. */
export function crunNeedsPrivateMountNs() {
  const controllers = '/sys/fs/cgroup/unified/cgroup.controllers';
  return existsSync(controllers) && readFileSync(controllers, 'utf8').trim() !== '';
}

/**
 * Starts a process that holds a private mount namespace without /sys/fs/cgroup/unified, for crun. It is not
 * a tracked process but a cleanup step, so it outlives the removal of crun's leftover containers.
 * @param {import('./cleanup.mjs').Cleanup} cleanup
 * @param {Record<string, string | undefined>} bins
 * @returns {Promise<number>} its PID
 */
export async function startCrunMountNs(cleanup, bins) {
  const holder = spawn(bins.unshare, [
    '--mount', '--propagation', 'private', '/bin/sh', '-c', 'umount /sys/fs/cgroup/unified && exec sleep 86400',
  ], { env: scrubbedEnv, stdio: 'ignore' });
  const exited = new Promise((resolve) => holder.on('close', resolve));
  cleanup.push("crun's mount namespace", async () => {
    if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
    await exited;
  });
  await waitFor(
    () => {
      if (holder.exitCode !== null) throw new Error(`crun's mount namespace holder exited with ${holder.exitCode}`);
      let comm;
      try {
        comm = parsePidStat(readFileSync(`/proc/${holder.pid}/stat`, 'utf8')).comm;
      } catch {
        return undefined;
      }
      return comm === 'sleep' ? holder.pid : undefined;
    },
    { timeoutMs: 5000, what: "crun's mount namespace" },
  );
  return holder.pid;
}
