// exec.ts — `ctrun exec`: a new process in a running container, through @ctr/ns-native's execInContainer (a
// joining process setns()es into every namespace of the container's init by pidfd and forks the program).
// The process is --process FILE (runtime-spec process JSON, as engines write it) or the container's own
// process from config.json with the given args, --cwd, --env, --user and --tty, as runc builds it. It joins
// the container's cgroup; capabilities, no_new_privs and the container's seccomp filter apply.
// --detach: the pid goes to --pid-file and ctrun exits with the program left to the engine's subreaper;
// otherwise ctrun waits and exits with the program's status.
import { readFileSync } from 'node:fs';
import { compileProfile, closeFd, execInContainer } from '@ctr/ns-native';
import type { Command, GlobalOptions } from '../args.js';
import { loadConfig } from '../config/config.js';
import type { OciConfig, OciProcess } from '../config/model.js';
import { parseProcess } from '../config/process.js';
import { Reader } from '../config/reader.js';
import { OciError } from '../errors.js';
import { StateStore } from '../state.js';
import { cgroupManager } from './cgroup.js';
import { initPidfd } from './lifecycle.js';
import { capabilitySet, programCandidates } from './plan.js';
import { startProcess } from './start-process.js';

type ExecCommand = Extract<Command, { verb: 'exec' }>;

/** Returns the exit status ctrun ends with: the program's when attached, 0 when detached. */
export async function exec(command: ExecCommand, globals: GlobalOptions): Promise<number> {
  const store = new StateStore(globals.root);
  const record = store.read(command.id);
  const status = store.stateOf(record).status;
  if (status === 'paused') throw new OciError('cannot exec in a paused container', { code: 'WRONG_STATE' });
  if (status !== 'running') throw new OciError('container not running', { code: 'NOT_RUNNING' });
  const { config } = loadConfig(record.bundle);
  const process = execProcess(command, config);
  if (process.terminal && command.consoleSocket === undefined)
    throw new OciError('cannot allocate tty if runc will detach without setting console socket (give --console-socket)', { code: 'USAGE' });
  const capabilities = capabilitySet(process);
  const security = {
    capabilities,
    noNewPrivileges: process.noNewPrivileges,
    maskedPaths: [],
    readonlyPaths: [],
    readonlyRootfs: false,
    ...(config.linux.seccomp !== undefined ? { seccomp: compileProfile(config.linux.seccomp, { capabilities: capabilities.bounding }) } : {}),
  };
  const pidFile = command.pidFile;
  const pidfd = initPidfd(record);
  if (pidfd === undefined) throw new OciError('container not running', { code: 'NOT_RUNNING' });
  try {
    const child = execInContainer({
      pidfd,
      userns: config.linux.namespaces.some((ns) => ns.type === 'user'),
      argv: process.args,
      execCandidates: programCandidates(process.args[0]!, process.env, process.cwd),
      env: process.env,
      cwd: process.cwd,
      stdio: process.terminal
        ? { kind: 'pty', rows: process.consoleSize?.height || 24, cols: process.consoleSize?.width || 80 }
        : { kind: 'fds', fds: [0, 1, 2] },
      security,
      user: { uid: process.user.uid, gid: process.user.gid, additionalGids: process.user.additionalGids },
      ...(process.user.umask !== undefined ? { umask: process.user.umask } : {}),
      detach: command.detach,
    });
    try {
      if (record.cgroup !== undefined) cgroupManager(record.cgroup).addProcess(child.pid);
      startProcess(child, command.consoleSocket, pidFile);
    } catch (error) {
      child.abort();
      throw error;
    }
    // detached: the joining process left right after the fork; reaping it is all that is left
    const exit = await child.wait();
    if (command.detach) return 0;
    if (exit.exitCode !== null) return exit.exitCode;
    return 1;
  } finally {
    closeFd(pidfd);
  }
}

/** --process FILE as is, or config.json's process with the command line's changes (runc's getProcess). */
function execProcess(command: ExecCommand, config: OciConfig): OciProcess {
  if (command.process !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(command.process, 'utf8'));
    } catch (cause) {
      throw new OciError(`${command.process}: ${(cause as Error).message}`, { code: 'INVALID_CONFIG', path: command.process, cause });
    }
    return parseProcess(new Reader(command.process), json);
  }
  const base = config.process;
  if (base === undefined) throw new OciError(`${command.id}: config.json has no process to start from; give --process`, { code: 'INVALID_CONFIG' });
  const process: OciProcess = { ...base, args: command.args, env: [...base.env, ...command.env], terminal: command.tty, user: { ...base.user } };
  if (command.cwd !== undefined) process.cwd = command.cwd;
  if (command.user !== undefined) {
    const match = /^(\d+)(?::(\d+))?$/.exec(command.user);
    if (!match) throw new OciError(`exec: --user must be UID[:GID], got ${JSON.stringify(command.user)}`, { code: 'USAGE' });
    process.user.uid = Number(match[1]);
    process.user.gid = match[2] === undefined ? 0 : Number(match[2]);
  }
  return process;
}
