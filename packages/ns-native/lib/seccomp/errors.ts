// errors.ts — the one error class of the seccomp module, shaped like Node's SystemError: callers branch on
// `code`, never on the message. A profile problem names the profile file (`path`) and the offending field
// (`field`, e.g. `syscalls[3].args[0].op`) so a user can fix a hand-written JSON profile in one go.

/** Codes for failures that are not a failed syscall (a failed read keeps its errno name, e.g. 'ENOENT'). */
export type SeccompErrorCode =
  | 'INVALID_JSON' // the profile text is not JSON
  | 'INVALID_PROFILE' // a field is missing, has the wrong type or an unknown value
  | 'UNSUPPORTED' // valid Docker JSON that ctr cannot honour (SCMP_ACT_NOTIFY needs a listener)
  | 'UNKNOWN_ARCH' // compileProfile was asked for an architecture it has no syscall table for
  | 'TOO_LARGE'; // the compiled program exceeds BPF_MAXINSNS

export interface SeccompErrorOptions {
  code: string;
  /** negative errno (Node convention) when a syscall failed */
  errno?: number;
  syscall?: string;
  /** the profile file, when the profile came from one */
  path?: string;
  /** JSON path of the offending entry or field inside the profile */
  field?: string;
  cause?: unknown;
}

/** Every error thrown by the seccomp module. */
export class SeccompError extends Error {
  readonly code: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
  readonly field?: string;

  constructor(message: string, options: SeccompErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    if (options.errno !== undefined) this.errno = options.errno;
    if (options.syscall !== undefined) this.syscall = options.syscall;
    if (options.path !== undefined) this.path = options.path;
    if (options.field !== undefined) this.field = options.field;
  }
}
Object.defineProperty(SeccompError.prototype, 'name', { value: 'SeccompError', enumerable: false });

/** Brand check that also works across copies of the package. */
export function isSeccompError(error: unknown): error is SeccompError {
  return error instanceof Error && error.name === 'SeccompError' && typeof (error as SeccompError).code === 'string';
}
