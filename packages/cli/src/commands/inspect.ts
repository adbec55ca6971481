// inspect.ts — `ctr inspect NAME...`: one JSON array with everything ctr knows of each container: its
// configuration, phase, host PIDs (PID 1 and its ctr-shim), IP and MAC, cgroup directories, limits, security,
// exit code, OOM kill and times. The OOM kill comes from the cgroup's counter while the group exists, from the
// state once the group was released.
import { containerMac } from '@ctr/netns';
import { parseVerbArgs } from '../args.js';
import { invalid } from '../runtime/errors.js';
import { containerCgroup } from '../runtime/limits.js';
import { containerDir, exitCodeOf, findContainer, readExit, statusOf, type ContainerState } from '../runtime/state.js';
import { sweepStale } from '../runtime/sweep.js';

const help = `Usage: ctr inspect NAME...

Print every known detail of containers as a JSON array.
`;

function describe(state: ContainerState): Record<string, unknown> {
  const exit = readExit(state.name);
  const status = statusOf(state);
  let cgroupPaths: Record<string, string> | undefined;
  let oomKilled = state.oomKilled === true;
  const cgroup = state.released ? undefined : containerCgroup(state);
  if (cgroup) {
    cgroupPaths = { ...cgroup.paths };
    try {
      oomKilled ||= cgroup.oomKills() > 0;
    } catch {
      // the group is gone (released by another command meanwhile)
    }
  }
  return {
    id: state.id,
    name: state.name,
    config: {
      rootfs: state.rootfs,
      command: state.command,
      hostname: state.hostname,
      tty: state.tty === true,
      detached: state.detached === true,
      autoRemove: state.autoRemove === true,
      network: state.network,
      ...(state.publish ? { publish: state.publish } : {}),
      ...(state.mounts ? { mounts: state.mounts } : {}),
      ...(state.ulimits ? { ulimits: state.ulimits } : {}),
    },
    state: {
      status,
      running: status === 'running',
      pid: status === 'running' ? state.pid : 0,
      supervisorPid: status === 'running' ? state.shimPid : 0,
      exitCode: exitCodeOf(exit) ?? null,
      signal: exit?.signal ?? null,
      oomKilled,
      created: state.created ?? state.started,
      startedAt: state.started,
      finishedAt: exit?.finishedAt ?? null,
    },
    network: {
      mode: state.network, ip: state.ip ?? null, mac: state.ip ? containerMac(state.ip) : null, hostInterface: state.hostIfname ?? null,
    },
    cgroup: { path: state.cgroup ?? null, ...(cgroupPaths ? { paths: cgroupPaths } : {}) },
    limits: state.limits ?? {},
    security: state.security ?? null,
    stateDir: containerDir(state.name),
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { help: { type: 'boolean' } }, false);
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length === 0) throw invalid(`"ctr inspect" needs at least one container name; see 'ctr inspect --help'`);
  await sweepStale();
  const out = positionals.map((ref) => describe(findContainer(ref)));
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}
