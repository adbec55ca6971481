// errors.ts — the one error type of ctrun. Every refusal (bad usage, a config.json that does not parse or
// asks for what ctrun cannot do, an unknown container) is an OciError whose message is the single line the
// user sees; `code` lets callers and tests tell them apart without matching text.
export type OciErrorCode =
  | 'USAGE' // bad command line
  | 'INVALID_CONFIG' // config.json malformed or of the wrong type
  | 'UNSUPPORTED' // a valid config.json field ctrun does not implement
  | 'NOT_FOUND' // no container with this id ("container does not exist", engines match it)
  | 'EXISTS' // create with an id in use
  | 'NOT_RUNNING' // kill/exec of a stopped container ("container not running", engines match it)
  | 'WRONG_STATE' // start of a started container, delete of a running one, pause of a stopped one…
  | 'SETUP_FAILED' // the container's process could not be set up (a ContainerSetupError's line)
  | 'INVALID_STATE' // a state file that is not ours
  | 'HOOK_FAILED'
  | 'IO';

export interface OciErrorOptions {
  code: OciErrorCode;
  /** JSON path in config.json, e.g. "process.user.uid" */
  field?: string;
  path?: string;
  errno?: number;
  syscall?: string;
  cause?: unknown;
}

export class OciError extends Error {
  readonly code: OciErrorCode;
  readonly field?: string;
  readonly path?: string;
  readonly errno?: number;
  readonly syscall?: string;

  constructor(message: string, options: OciErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OciError';
    this.code = options.code;
    if (options.field !== undefined) this.field = options.field;
    if (options.path !== undefined) this.path = options.path;
    if (options.errno !== undefined) this.errno = options.errno;
    if (options.syscall !== undefined) this.syscall = options.syscall;
  }
}

export function isOciError(error: unknown): error is OciError {
  return error instanceof OciError;
}

/** Wraps a failed fs call (an ErrnoException) as an IO OciError that names what was being done. */
export function ioError(what: string, path: string, cause: unknown): OciError {
  const error = cause as NodeJS.ErrnoException;
  return new OciError(`${what} ${path}: ${error.code ?? error.message}`, {
    code: 'IO',
    path,
    errno: error.errno,
    syscall: error.syscall,
    cause,
  });
}
