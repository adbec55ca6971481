// context.mjs — the fixed facts of a bench run: where ctr and the rootfs are, the bench-only networks, and
// the command lines of each runtime. ctr's containers use a bench-only bridge, subnet and state directory
// (CTR_BRIDGE, CTR_SUBNET, CTR_STATE_DIR), so the bench never adds ports to, or leases from, the ctr0 network
// that other people's containers and tests use; every name is removed when the bench ends.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, scrubbedEnv } from './run.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(repoRoot, 'packages/cli/dist/ctr.cjs');
/** @ctr/cli as a library (`runContainer`), for the in-process rows of measure 1. */
export const cliLibraryPath = path.join(repoRoot, 'packages/cli/dist/index.js');
export const defaultRootfs = path.join(repoRoot, 'rootfs/default');
/** Parent of each run's ctr state directory; a subdirectory per harness PID doubles as the run lock. */
export const stateParent = '/run/ctr-bench';

/** Where ctr's own containers get their addresses during the bench. */
export const ctrNet = { bridge: 'ctrb1', subnet: '10.214.0.0/16', gateway: '10.214.0.1' };
/** The throwaway network of measure 2 (connectContainer vs ip). */
export const setupNet = { bridge: 'ctrb0', bridgeAddress: '10.213.0.1/16', address: '10.213.0.2/16', gateway: '10.213.0.1' };

/**
 * @typedef {object} Context
 * @property {import('./args.mjs').Options} opts
 * @property {import('./cleanup.mjs').Cleanup} cleanup
 * @property {{ bins: Record<string, string | undefined>, versions: Record<string, string>, missing: string[] }} peers
 * @property {string} tmp bench-owned temporary directory (bundles, runc/crun state)
 * @property {string} stateDir ctr's state directory for this run
 * @property {string} rootfs
 * @property {number | undefined} crunMountNsPid holder of crun's private mount namespace, when needed
 * @property {(line: string) => void} log
 */

/** @param {string} stateDir */
export function ctrEnv(stateDir) {
  return { ...scrubbedEnv, CTR_STATE_DIR: stateDir, CTR_BRIDGE: ctrNet.bridge, CTR_SUBNET: ctrNet.subnet };
}

/**
 * Removes every container of a bench state directory with `ctr rm -f`, running or not: a detached container
 * outlives its `ctr run` (no sweep removes a container whose shim runs), and only ctr releases all it holds.
 * @param {string} stateDir
 */
export function removeAllContainers(stateDir) {
  const dir = path.join(stateDir, 'containers');
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)) : [];
  if (names.length > 0) capture(process.execPath, [cliPath, 'rm', '-f', ...names], ctrEnv(stateDir));
}

/**
 * `node ctr.cjs VERB ARGS` as a command for run.mjs.
 * @param {Context} ctx
 * @param {string} verb
 * @param {string[]} args
 */
export function ctrVerb(ctx, verb, args) {
  return { cmd: process.execPath, args: [cliPath, verb, ...args], env: ctrEnv(ctx.stateDir) };
}

/**
 * `node ctr.cjs run ARGS` as a command for run.mjs.
 * @param {Context} ctx
 * @param {string[]} args
 */
export const ctrRun = (ctx, args) => ctrVerb(ctx, 'run', args);

/**
 * `runc ARGS` or `crun ARGS` with the bench-owned state root; crun inside its private mount namespace when
 * the host needs one.
 * @param {Context} ctx
 * @param {'runc' | 'crun'} name
 * @param {string[]} args
 */
export function runtimeCommand(ctx, name, args) {
  const bin = ctx.peers.bins[name];
  const all = ['--root', path.join(ctx.tmp, name), ...args];
  if (name === 'runc' || ctx.crunMountNsPid === undefined) return { cmd: bin, args: all };
  return { cmd: ctx.peers.bins.nsenter, args: [`--mount=/proc/${ctx.crunMountNsPid}/ns/mnt`, bin, ...all] };
}

/**
 * `runc run` in the foreground with a bench-owned state root.
 * @param {Context} ctx
 * @param {string} bundle
 * @param {string} id
 */
export const runcRun = (ctx, bundle, id) => runtimeCommand(ctx, 'runc', ['run', '--bundle', bundle, id]);

/**
 * `crun run` in the foreground, inside crun's private mount namespace when the host needs one.
 * @param {Context} ctx
 * @param {string} bundle
 * @param {string} id
 */
export const crunRun = (ctx, bundle, id) => runtimeCommand(ctx, 'crun', ['run', '--bundle', bundle, id]);
