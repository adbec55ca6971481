// errors.ts — the one error type of @ctr/rootfs. Callers branch on `code`; the message says what to do.
// Where a syscall failed, `errno` (negative, Node convention), `syscall` and `cause` carry it.

export type RootfsErrorCode =
  | 'ENOENT' // an input (tarball, parent of the output) does not exist
  | 'EACCES' // an input cannot be read
  | 'EISDIR' // a tarball path names a directory
  | 'ENOTDIR' // the output path exists and is not a directory
  | 'EBUSY' // something is mounted inside the output tree
  | 'ENOTROOT' // the operation must keep file ownership, which needs root
  | 'EBADTAR' // the tarball is corrupt, truncated or not a tar archive
  | 'EBADELF' // a host executable or library is not a readable ELF file
  | 'ENOLIB' // a shared library a host program needs cannot be found
  | 'ENOPROG' // a program the default rootfs must have is missing on this host
  | 'ENODEMO' // the demo programs are not built
  | 'EUNSAFE' // a path inside the tree goes through a symlink or non-directory
  | 'EIO'; // any other failed filesystem operation

interface SystemErrorLike {
  errno?: number;
  syscall?: string;
}

export class RootfsError extends Error {
  readonly code: RootfsErrorCode;
  readonly path: string | undefined;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;

  constructor(code: RootfsErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.path = options.path;
    const system = options.cause as SystemErrorLike | undefined;
    this.errno = typeof system?.errno === 'number' ? system.errno : undefined;
    this.syscall = typeof system?.syscall === 'string' ? system.syscall : undefined;
  }
}
Object.defineProperty(RootfsError.prototype, 'name', { value: 'RootfsError', enumerable: false });

/** The `code` of a Node system error (`ENOENT`, `EACCES` …), or undefined for anything else. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Wraps a failed filesystem call as a RootfsError, keeping the system error's code when it is one of
 * ours. The message reads "MESSAGE: ENOENT: no such file or directory[: HINT]".
 */
export function fsError(err: unknown, message: string, path: string, hint?: string): RootfsError {
  if (err instanceof RootfsError) return err;
  const code = errnoCode(err);
  const known: RootfsErrorCode[] = ['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EBUSY'];
  // Node's own message repeats the syscall and path after a comma ("…, open '/x'"); ours names them.
  const detail = err instanceof Error ? err.message.replace(/, \w+ '.*'$/, '') : String(err);
  return new RootfsError(known.includes(code as RootfsErrorCode) ? (code as RootfsErrorCode) : 'EIO', `${message}: ${detail}${hint ? `: ${hint}` : ''}`, {
    path,
    cause: err,
  });
}
