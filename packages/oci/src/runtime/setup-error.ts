// setup-error.ts — a failure of the container's process before its program ran (@ctr/ns-native's
// ContainerSetupError: stage, syscall, errno, path) as ctrun's one-line OciError, keeping those fields. A
// missing program reads as runc's "executable file not found in $PATH", which engines show as is.
import type { ContainerSetupError } from '@ctr/ns-native';
import { OciError } from '../errors.js';

export function setupError(error: unknown): unknown {
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
