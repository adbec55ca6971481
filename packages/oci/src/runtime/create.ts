// create.ts — `ctrun create`: everything config.json asks for except running the program. In order:
// validate all (nothing exists yet), claim the id's state directory, spawn the container's first process
// (it waits on a pipe) with the state directory's exec.fifo, put it in its cgroup, set its
// oom_score_adj, write state.json, run the prestart/createRuntime hooks, let it set itself up, hand a pty
// master to --console-socket, write --pid-file, and exit. The process then blocks opening exec.fifo until
// `ctrun start` (ctr-init -f); it is our child, so our exit hands it to the engine's subreaper.
// Any failure undoes what was made: the process, the cgroup, the state directory.
// The container's stdio are this process's fds 0-2 as the engine gave them: never process.stdout (see log.ts).
import { existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { validateLimits } from '@ctr/cgroups';
import { spawnContainer, type Container } from '@ctr/ns-native';
import { processStartTime } from '@ctr/netns';
import type { Command, GlobalOptions } from '../args.js';
import { loadConfig } from '../config/config.js';
import { OciError } from '../errors.js';
import { runHooks } from '../hook-runner.js';
import type { Logger } from '../log.js';
import { EXEC_FIFO, StateStore, type StateRecord } from '../state.js';
import { cgroupLimits, cgroupLocation, cgroupManager, freezerFile } from './cgroup.js';
import { planContainer } from './plan.js';
import { writeJoinedSysctls } from './sysctl.js';
import { startProcess } from './start-process.js';

type CreateCommand = Extract<Command, { verb: 'create' }>;

export async function create(command: CreateCommand, globals: GlobalOptions, logger: Logger): Promise<void> {
  const store = new StateStore(globals.root);
  const bundle = resolve(command.bundle);
  const { config, warnings } = loadConfig(bundle);
  // unknown properties are to be ignored (config.md) and engines' seccomp profiles name every ABI's calls:
  // worth a line under --debug, not one in the container's stderr, which create's fd 2 is
  for (const warning of warnings) logger.log('debug', warning);
  const plan = planContainer(config);
  if (plan.terminal && command.consoleSocket === undefined)
    throw new OciError('cannot allocate tty if runc will detach without setting console socket (process.terminal is true: give --console-socket)', { code: 'USAGE' });
  if (!plan.terminal && command.consoleSocket !== undefined)
    throw new OciError('cannot use console socket if runc will not detach or allocate tty (process.terminal is false)', { code: 'USAGE' });
  if (!existsSync(config.root.path)) throw new OciError(`root.path: ${config.root.path} does not exist`, { code: 'INVALID_CONFIG', field: 'root.path' });
  const limits = validateLimits(cgroupLimits(config.linux.resources));
  const location = cgroupLocation(command.id, config.linux.cgroupsPath);
  const cgroup = cgroupManager(location);
  const pidFile = command.pidFile === undefined ? undefined : resolve(command.pidFile);

  const dir = store.claim(command.id);
  let container: Container | undefined;
  try {
    writeJoinedSysctls(plan.joinedSysctls);
    container = spawnContainer({
      ...plan.spawn,
      stdio: plan.terminal ? { kind: 'pty', ...plan.consoleSize } : { kind: 'fds', fds: [0, 1, 2] },
      execFifo: join(dir, EXEC_FIFO),
      preserveFds: command.preserveFds,
    });
    const { pid } = container;
    cgroup.create();
    cgroup.apply(limits);
    cgroup.addProcess(pid);
    // proc(5): the child inherits it, and only a privileged process may lower it later — set it on init now.
    if (plan.oomScoreAdj !== undefined) writeFileSync(`/proc/${pid}/oom_score_adj`, String(plan.oomScoreAdj));
    const pidStart = processStartTime(pid);
    if (pidStart === undefined) throw new OciError('the container process exited during create', { code: 'SETUP_FAILED' });
    const record: StateRecord = {
      id: command.id, pid, pidStart, bundle, rootfs: config.root.path, created: new Date().toISOString(),
      owner: userInfo().username, annotations: config.annotations, cgroup: location, poststart: config.hooks.poststart,
      poststop: config.hooks.poststop,
    };
    const freezer = cgroup.paths.freezer;
    if (freezer !== undefined) record.freezer = freezerFile(freezer);
    store.write(record);
    const creating = { ...store.stateOf(record), status: 'creating' as const };
    await runHooks('prestart', config.hooks.prestart, creating);
    await runHooks('createRuntime', config.hooks.createRuntime, creating);
    startProcess(container, command.consoleSocket, pidFile);
  } catch (error) {
    container?.abort();
    await cgroup.destroy().catch((cause: Error) => logger.warn(`removing the cgroup of ${command.id}: ${cause.message}`));
    store.remove(command.id);
    throw error;
  }
}
