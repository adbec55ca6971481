// errors.ts — the error classes of @ctr/netns, shaped like Node's SystemError: a stable `code` to branch on,
// `errno` (negative, Node convention) when the kernel refused something, `syscall`, `path`, and `cause`.
// Kernel NACKs keep their errno and the extended-ACK reason (netlink(7) NETLINK_EXT_ACK).
import { getSystemErrorName } from 'node:util';

export interface NetnsErrorOptions {
  code: string;
  errno?: number;
  syscall?: string;
  path?: string;
  cause?: unknown;
}

/** Base class of every error this package throws. */
export class NetnsError extends Error {
  readonly code: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;

  constructor(message: string, options: NetnsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    if (options.errno !== undefined) this.errno = options.errno;
    if (options.syscall !== undefined) this.syscall = options.syscall;
    if (options.path !== undefined) this.path = options.path;
  }
}
Object.defineProperty(NetnsError.prototype, 'name', { value: 'NetnsError', enumerable: false });

/** The kernel answered a request with NLMSG_ERROR. `errno` is negative (-17 for EEXIST). */
export class NetlinkError extends NetnsError {
  /** Request type name, e.g. `RTM_NEWLINK`. */
  readonly request: string;
  /** The kernel's extended-ACK message, e.g. `Nexthop has invalid gateway`. */
  readonly extAck?: string;

  constructor(request: string, errno: number, context: string | undefined, extAck: string | undefined) {
    const code = errnoCode(errno);
    const what = context ? `${request} ${context}` : request;
    super(`${what}: ${code}${extAck ? `: ${extAck}` : ''}`, { code, errno, syscall: 'netlink' });
    this.request = request;
    if (extAck !== undefined) this.extAck = extAck;
  }
}
Object.defineProperty(NetlinkError.prototype, 'name', { value: 'NetlinkError', enumerable: false });

/** IPAM failures: exhausted subnet, invalid or taken static address, unreadable lease files. */
export class IpamError extends NetnsError {}
Object.defineProperty(IpamError.prototype, 'name', { value: 'IpamError', enumerable: false });

/** Brand check that survives duplicated module copies (instanceof would not). */
export function isNetnsError(value: unknown): value is NetnsError {
  return value instanceof Error && typeof (value as NetnsError).code === 'string' && 'name' in value &&
    ['NetnsError', 'NetlinkError', 'IpamError'].includes(value.name);
}

/** Maps a negative errno to its name (`-17` → `EEXIST`) the way Node does for its own errors. */
function errnoCode(errno: number): string {
  const name = getSystemErrorName(errno);
  return /^E[A-Z0-9]+$/.test(name) ? name : `ERRNO_${-errno}`;
}
