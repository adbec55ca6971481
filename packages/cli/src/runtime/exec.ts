// exec.ts — `ctr exec`: run a program inside a running container. A single-threaded child of this process
// (never this process itself) joins every namespace of the container's PID 1 through its pidfd, after being
// placed in the container's cgroup, and forks the program so it is inside the PID namespace; the program gets
// the container's capabilities, no_new_privs and seccomp filter, and no fd of ctr. With a terminal, its pty
// comes from the container's own devpts. See: setns(2), pid_namespaces(7), @ctr/ns-native execInContainer.
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { closeFd, execInContainer, pidfdOpen, type Container } from '@ctr/ns-native';
import { buildEnv, execCandidates, spawnFailure } from './create.js';
import { CtrError, invalid } from './errors.js';
import { containerCgroup } from './limits.js';
import { prepareSecurity } from './security.js';
import { stopPoint } from './stop-points.js';
import { statusOf, supervisorAlive, type ContainerState } from './state.js';
import { validateEnv, validateWorkdir } from './validate.js';

export interface ExecOptions {
  command: string[];
  /** `K=V` added to (or replacing in) the container's environment */
  env?: string[];
  /** default: the container's working directory */
  workdir?: string;
  /** `uid[:gid]` or `name[:group]` from the container's /etc/passwd and /etc/group */
  user?: string;
  tty?: boolean;
  interactive?: boolean;
}

/** A started exec: its program runs; `wait()` resolves with its exit code (128+N for signal N). */
export interface ExecSession {
  readonly pid: number;
  readonly ptyMaster?: number;
  kill(signal: NodeJS.Signals | number): boolean;
  wait(): Promise<number>;
}

/** Looks `name` up in a passwd- or group-format file of the container: its numeric id and primary gid. */
function lookup(rootfs: string, file: 'passwd' | 'group', name: string): { id: number; gid: number } | undefined {
  let text = '';
  try {
    text = readFileSync(path.join(rootfs, 'etc', file), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined) return { id: Number(f[2]), gid: Number(file === 'passwd' ? f[3] : f[2]) };
  }
  return undefined;
}

export function parseUser(spec: string, rootfs: string): { uid: number; gid: number } {
  const [u = '', g] = spec.split(':');
  const numeric = (s: string): number | undefined => (/^\d+$/.test(s) ? Number(s) : undefined);
  const user = numeric(u) !== undefined ? { id: numeric(u)!, gid: numeric(u)! } : lookup(rootfs, 'passwd', u);
  if (!user) throw invalid(`invalid --user "${spec}": no user "${u}" in the container's /etc/passwd; use a name from it or a number`);
  if (g === undefined) return { uid: user.id, gid: user.gid };
  const gid = numeric(g) ?? lookup(rootfs, 'group', g)?.id;
  if (gid === undefined) throw invalid(`invalid --user "${spec}": no group "${g}" in the container's /etc/group`);
  return { uid: user.id, gid };
}

/** Starts `opts.command` in the running container `state`. */
export function execContainer(state: ContainerState, opts: ExecOptions): ExecSession {
  if (opts.command.length === 0) throw invalid(`"ctr exec" needs a command to run`);
  const userEnv = validateEnv(opts.env ?? []);
  const workdir = validateWorkdir(opts.workdir ?? state.workdir ?? '/');
  const userns = state.security?.userns !== undefined;
  const user = opts.user !== undefined ? parseUser(opts.user, state.rootfs) : userns ? { uid: 0, gid: 0 } : undefined;
  const { options: security } = prepareSecurity(state.securityFlags ?? {});
  const { userns: _mapping, ...confinement } = security;
  const tty = opts.tty === true;
  const env = buildEnv([...(state.env ?? []), ...userEnv], state.hostname, tty);
  const envPath = env.find((kv) => kv.startsWith('PATH='))!.slice(5);

  if (statusOf(state) !== 'running') {
    throw new CtrError(`cannot exec in container "${state.name}": it is ${statusOf(state)}`, { code: 'ERR_CTR_NOT_RUNNING' });
  }
  let pidfd: number;
  try {
    pidfd = pidfdOpen(state.pid);
  } catch {
    throw new CtrError(`cannot exec in container "${state.name}": it has just stopped`, { code: 'ERR_CTR_NOT_RUNNING' });
  }
  let child: Container;
  const devnull = !tty && !opts.interactive ? openSync('/dev/null', 'r') : undefined;
  try {
    // Opened before, checked after: while the shim runs, its container's pid cannot have been reused.
    if (!supervisorAlive(state)) {
      throw new CtrError(`cannot exec in container "${state.name}": it has just stopped`, { code: 'ERR_CTR_NOT_RUNNING' });
    }
    const size = process.stdout.isTTY && process.stdout.rows ? { rows: process.stdout.rows, cols: process.stdout.columns } : { rows: 24, cols: 80 };
    child = execInContainer({
      pidfd,
      userns,
      argv: opts.command,
      execCandidates: execCandidates(opts.command[0]!, envPath, workdir),
      env,
      cwd: workdir,
      stdio: tty ? { kind: 'pty', ...size } : { kind: 'fds', fds: [devnull ?? 0, 1, 2] },
      security: confinement,
      ...(user ? { user } : {}),
    });
  } finally {
    closeFd(pidfd);
    if (devnull !== undefined) closeSync(devnull);
  }
  stopPoint('exec:spawned');
  let started: { ptyMaster?: number };
  try {
    // The program inherits the cgroup of the joining process, so its limits and accounting are the container's.
    containerCgroup(state)?.addProcess(child.pid);
    started = child.start();
  } catch (err) {
    child.abort();
    if ((err as { stage?: string }).stage === 'join') {
      throw new CtrError(`cannot exec in container "${state.name}": joining its namespaces failed: ${(err as Error).message}`, {
        code: 'ERR_CTR_EXEC', cause: err,
      });
    }
    throw spawnFailure(err, opts.command[0]!);
  }
  stopPoint('exec:started');
  const exited = child.wait().then((s) => s.exitCode ?? 125);
  return {
    pid: child.pid,
    ...(started.ptyMaster !== undefined ? { ptyMaster: started.ptyMaster } : {}),
    kill: (signal) => child.kill(signal),
    wait: () => exited,
  };
}
