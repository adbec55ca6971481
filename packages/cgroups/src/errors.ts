// errors.ts — the one error class of @ctr/cgroups. Shaped like Node's SystemError: callers branch on `code`
// (an errno name such as 'EBUSY' when a syscall failed, else one of the CgroupErrorCode values), never on
// the message. See errno(3) for the kernel codes cgroupfs returns (EBUSY, EINVAL, ENOENT, ENOTSUP).

/** Codes for failures that are not a failed syscall. */
export type CgroupErrorCode =
  | 'INVALID_LIMIT' // a limit is out of range or contradicts another one
  | 'INVALID_SIZE' // parseSize/formatSize got garbage
  | 'INVALID_PID' // addProcess got something that is not a positive integer
  | 'INVALID_PATH' // a cgroup path that is absolute, empty or climbs with '..'
  | 'NO_CGROUPFS' // nothing in mountinfo looks like a cgroup hierarchy under the root
  | 'NO_CONTROLLER' // a requested controller is not mounted / not delegated
  | 'NOT_EMPTY' // processes were still in the group when waiting gave up
  | 'UNSUPPORTED'; // the kernel lacks a file the request needs (swap accounting)

export interface CgroupErrorOptions {
  code: string;
  /** negative errno (Node convention) when a syscall failed */
  errno?: number;
  syscall?: string;
  path?: string;
  /** the value written, for writes */
  value?: string;
  cause?: unknown;
}

/** Every error thrown by this package. */
export class CgroupError extends Error {
  readonly code: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
  readonly value?: string;

  constructor(message: string, options: CgroupErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    if (options.errno !== undefined) this.errno = options.errno;
    if (options.syscall !== undefined) this.syscall = options.syscall;
    if (options.path !== undefined) this.path = options.path;
    if (options.value !== undefined) this.value = options.value;
  }
}
Object.defineProperty(CgroupError.prototype, 'name', { value: 'CgroupError', enumerable: false });

/** Brand check that also works across copies of the package. */
export function isCgroupError(error: unknown): error is CgroupError {
  return error instanceof Error && error.name === 'CgroupError' && typeof (error as CgroupError).code === 'string';
}
