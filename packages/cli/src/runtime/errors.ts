// errors.ts — the runtime's error type. Every failure the user can cause or the kernel can report becomes a
// CtrError: one line for humans (`message`), stable `code` for programs, and the syscall facts (`errno`,
// `syscall`, `path`) plus the original error in `cause`. The CLI prints `ctr: <message>` and exits 125
// (docker's "the runtime failed" status) unless `exitCode` says otherwise.

export interface CtrErrorFields {
  code: string;
  errno?: number;
  syscall?: string;
  path?: string;
  cause?: unknown;
  /** process exit status the CLI should use; 125 when absent */
  exitCode?: number;
  /** errors raised while tearing down after this one; reported, never allowed to hide it */
  cleanupErrors?: unknown[];
}

export class CtrError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  path?: string;
  exitCode: number;
  cleanupErrors: unknown[];

  constructor(message: string, fields: CtrErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code;
    if (fields.errno !== undefined) this.errno = fields.errno;
    if (fields.syscall !== undefined) this.syscall = fields.syscall;
    if (fields.path !== undefined) this.path = fields.path;
    this.exitCode = fields.exitCode ?? 125;
    this.cleanupErrors = fields.cleanupErrors ?? [];
  }
}
Object.defineProperty(CtrError.prototype, 'name', { value: 'CtrError', enumerable: false });

/** An input the user can fix (bad flag value, missing rootfs, …): code ERR_CTR_INVALID, exit 125. */
export function invalid(message: string, path?: string): CtrError {
  return new CtrError(message, { code: 'ERR_CTR_INVALID', ...(path === undefined ? {} : { path }) });
}

/**
 * Wraps any thrown value as a CtrError, keeping syscall fields of Node/addon errors. `context` (when given)
 * prefixes the message, except for errors of ctr's own packages (code ERR_CTR_*, e.g. the addon loader's), whose message
 * already says what failed and what to do.
 */
export function asCtrError(err: unknown, context?: string): CtrError {
  if (err instanceof CtrError) return err;
  const e = err as NodeJS.ErrnoException & { code?: string };
  const own = typeof e?.code === 'string' && e.code.startsWith('ERR_CTR_');
  return new CtrError(own || context === undefined ? (e?.message ?? String(err)) : `${context}: ${e?.message ?? String(err)}`, {
    code: typeof e?.code === 'string' ? e.code : 'ERR_CTR_RUNTIME',
    ...(typeof e?.errno === 'number' ? { errno: e.errno } : {}),
    ...(e?.syscall ? { syscall: e.syscall } : {}),
    ...(e?.path ? { path: e.path } : {}),
    cause: err,
  });
}
