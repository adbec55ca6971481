// start-process.ts — the last step of create and exec: let the spawned process set itself up, hand its pty
// master to --console-socket (SCM_RIGHTS, no reply awaited, the master closed here), write --pid-file.
// A failure before its program ran (@ctr/ns-native's ContainerSetupError: stage, syscall, errno, path)
// becomes ctrun's one-line OciError keeping those fields; a missing program reads as runc's "executable file
// not found in $PATH", which engines show as is.
import { closeFd, sendFdToSocket, type Container, type ContainerSetupError } from '@ctr/ns-native';
import { OciError } from '../errors.js';
import { writeFileAtomic } from '../state.js';

export function startProcess(process: Container, consoleSocket: string | undefined, pidFile: string | undefined): void {
  let started: { ptyMaster?: number };
  try {
    started = process.start();
  } catch (error) {
    throw setupError(error);
  }
  if (started.ptyMaster !== undefined) {
    try {
      sendFdToSocket(consoleSocket!, started.ptyMaster);
    } finally {
      closeFd(started.ptyMaster);
    }
  }
  if (pidFile !== undefined) writeFileAtomic(pidFile, String(process.pid), 0o644);
}

function setupError(error: unknown): unknown {
  const e = error as Partial<ContainerSetupError>;
  if (!(error instanceof Error) || e.stage === undefined) return error;
  const message =
    e.stage === 'exec' && e.code === 'ENOENT'
      ? `exec: "${e.path ?? ''}": executable file not found in $PATH`
      : error.message;
  return new OciError(message, {
    code: 'SETUP_FAILED',
    ...(e.errno !== undefined ? { errno: e.errno } : {}),
    ...(e.syscall !== undefined ? { syscall: e.syscall } : {}),
    ...(e.path !== undefined ? { path: e.path } : {}),
    cause: error,
  });
}
