// ipam.ts — IPv4 address leases for one subnet, stored as one file per address in a state directory
// (the runtime uses /run/ctr/ipam/<net>/). Taking a lease needs no lock: the lease file is created with
// O_CREAT|O_EXCL (open(2) 'wx'), which exactly one process can win, so concurrent allocators never share an
// address. A lease records the owner's pid and its start time (field 22 of /proc/PID/stat, proc(5)), so a
// recycled PID is never mistaken for the owner. Removing a lease is the delicate part: "unlink this name if
// it still holds the lease I judged" has no syscall, and a name freed by one remover can be re-taken by an
// allocator before a second remover acts on its stale judgement. So removers (only they) take a short
// per-address lock file: while it is held the lease name can only go from absent to present, never be
// replaced, so the judgement made under the lock stays true until the unlink. A lease may also name a host
// interface (a container's veth) that keeps holding the address after the process, until the kernel deletes it.
import {
  closeSync,
  existsSync,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

import { IpamError } from './errors.js';
import { formatIpv4, formatSubnet, parseCidr, parseIpv4, subnetContains, type Subnet } from './ipv4.js';

/** The content of a lease file, plus the address it is named after. */
export interface Lease {
  address: string;
  owner: string;
  pid: number;
  /** Start time of `pid` in clock ticks since boot (/proc/PID/stat field 22). */
  pidStart: number;
  /**
   * A host network interface that holds the address too while it exists, after `pid` is gone: a container's
   * veth, which the kernel destroys with the container's netns some time after its last process (no one
   * deletes it by hand: that took 10-30 ms of each container's end). Until then the dying netns still
   * answers ARP for the address, so handing it out again would put two hosts behind one IP on the bridge.
   */
  link?: string;
}

/** What `allocate` hands out. */
export interface Allocation {
  address: string;
  prefixLen: number;
  /** `address/prefixLen`, ready for addAddress(). */
  cidr: string;
  gateway: string;
}

export interface IpamOptions {
  /** State directory holding the lease files; created on first allocation. */
  dir: string;
  /** Subnet in CIDR notation. Default `10.88.0.0/16`. */
  subnet?: string;
  /** Gateway (the bridge's address), never leased. Default: first host of the subnet. */
  gateway?: string;
}

/** A lease file that cannot be parsed yet may be in the middle of its first write; older ones are debris. */
const UNREADABLE_GRACE_MS = 10_000;
/** How long (in 1 ms waits) a remover waits for a live holder of a lease lock. */
const LOCK_ATTEMPTS = 2000;
// How long a requested address waits for the veth of its dead holder: the kernel destroys a dead container's
// netns (and the veth pair with it) from a workqueue, tens of ms later and up to seconds under load.
const TEARDOWN_WAIT_MS = 3000;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
/**
 * Scratch buffer for the small files read here (a lease, a lock, /proc/PID/stat are each well under 4 KiB):
 * one read(2) instead of readFileSync's fstat and read-until-EOF. Only synchronous code uses it.
 */
const SCRATCH = Buffer.alloc(4096);
/** Start time of this process, for its lock files; it never changes, so /proc is read once. */
let selfStart: number | undefined;

/** Reads a small file from its start in one read(2) (a longer one, not expected, falls back to readFileSync). */
function readSmall(fd: number): string {
  const n = readSync(fd, SCRATCH, 0, SCRATCH.length, 0);
  return n < SCRATCH.length ? SCRATCH.toString('utf8', 0, n) : readFileSync(fd, 'utf8');
}

/**
 * Start time of a live process (clock ticks since boot), or undefined if it does not exist or is a zombie
 * (it has exited; only its exit status waits to be reaped, so its lease may go).
 */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    const fd = openSync(`/proc/${pid}/stat`, 'r');
    try {
      stat = readSmall(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses; the fields after the last ')' are unambiguous.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

/**
 * A lease or lock file as read: its parsed content (undefined while still being written) and, only for such
 * an unparsed file (isStale's write grace needs it), its mtime; 0 otherwise.
 */
interface Seen {
  lease: Lease | undefined;
  mtimeMs: number;
}

/**
 * Whether the host has a network interface of that name: its sysfs directory, one stat and no rtnl lock
 * (netdevice(7)). sysfs shows the interfaces of the netns it was mounted in: the host's, where ctr runs.
 */
function linkExists(name: string): boolean {
  return existsSync(path.join('/sys/class/net', name));
}

/**
 * Stale: its process is gone or the PID was reused and its link (if any) is gone too, or it stayed unreadable
 * past the write grace time.
 */
function isStale(seen: Seen): boolean {
  if (!seen.lease) return Date.now() - seen.mtimeMs > UNREADABLE_GRACE_MS;
  // The link first: one stat, and for a running container it settles the question without reading /proc.
  if (seen.lease.link !== undefined && linkExists(seen.lease.link)) return false;
  return processStartTime(seen.lease.pid) !== seen.lease.pidStart;
}

function parseLease(address: string, text: string): Lease | undefined {
  try {
    const raw = JSON.parse(text) as Partial<Lease>;
    if (typeof raw.owner !== 'string' || !Number.isInteger(raw.pid) || !Number.isInteger(raw.pidStart)) return undefined;
    if (raw.link !== undefined && typeof raw.link !== 'string') return undefined;
    return {
      address, owner: raw.owner, pid: raw.pid as number, pidStart: raw.pidStart as number,
      ...(raw.link !== undefined ? { link: raw.link } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Lease files are named by dotted-quad address; lock files (and broken locks) start with a dot. */
function isLeaseName(name: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(name);
}

export class Ipam {
  readonly dir: string;
  readonly subnet: Subnet;
  readonly gateway: number;

  constructor(options: IpamOptions) {
    this.dir = options.dir;
    this.subnet = parseCidr(options.subnet ?? '10.88.0.0/16');
    this.gateway = options.gateway === undefined ? this.subnet.network + 1 : parseIpv4(options.gateway);
    if (!subnetContains(this.subnet, this.gateway)) {
      throw new IpamError(`gateway ${formatIpv4(this.gateway)} is outside ${formatSubnet(this.subnet)}`, {
        code: 'EINVAL_GATEWAY',
      });
    }
  }

  /**
   * Leases an address for `owner` (e.g. a container id), held by process `pid`. With `requested`, leases
   * exactly that address or throws: `EINVAL_IPV4`, `EADDR_OUTSIDE_SUBNET`, `EADDR_RESERVED` (network,
   * broadcast or gateway), `EADDRINUSE`. Without, takes the lowest free address; `ESUBNET_FULL` if none.
   * `ESRCH` if `pid` is not running.
   */
  allocate(request: { owner: string; pid: number; requested?: string; link?: string }): Allocation {
    const pidStart = processStartTime(request.pid);
    if (pidStart === undefined) {
      throw new IpamError(`cannot lease for pid ${request.pid}: no such process`, { code: 'ESRCH' });
    }
    const content = JSON.stringify({
      owner: request.owner, pid: request.pid, pidStart, ...(request.link !== undefined ? { link: request.link } : {}),
    });
    if (request.requested !== undefined) {
      const address = this.validateStatic(request.requested);
      if (!this.#tryCreate(address, content) && !(this.#awaitTeardown(formatIpv4(address)) && this.#tryCreate(address, content))) {
        throw new IpamError(`address ${request.requested} is already leased`, {
          code: 'EADDRINUSE',
          path: this.#file(address),
        });
      }
      return this.#allocation(address);
    }
    // No directory yet means no lease yet: #tryCreate makes it.
    const taken = new Set(this.#entries());
    for (let address = this.subnet.network + 1; address < this.subnet.broadcast; address++) {
      if (address === this.gateway || taken.has(formatIpv4(address))) continue;
      if (this.#tryCreate(address, content)) return this.#allocation(address);
    }
    throw new IpamError(`no free address left in ${formatSubnet(this.subnet)}`, { code: 'ESUBNET_FULL', path: this.dir });
  }

  /** Drops the lease of `address` unconditionally; false if there was none. */
  release(address: string): boolean {
    const name = formatIpv4(parseIpv4(address));
    if (!this.#read(name)) return false;
    return this.#removeUnderLock(name, () => true);
  }

  /**
   * Drops every lease of `owner` whose link (see Lease) is gone; returns the released addresses. A lease whose
   * link still exists stays until `reclaimStale` finds it gone. With `address` (where the caller recorded the
   * owner's lease) only that file is read when it is the owner's, instead of every lease in the directory (a
   * container holds one lease; 50 running containers made this a read of 50 files per container end).
   */
  releaseOwner(owner: string, address?: string): string[] {
    const doomed = (seen: Seen): boolean =>
      seen.lease?.owner === owner && !(seen.lease.link !== undefined && linkExists(seen.lease.link));
    if (address !== undefined) {
      const name = formatIpv4(parseIpv4(address));
      const seen = this.#read(name);
      if (seen?.lease?.owner === owner) return doomed(seen) && this.#removeUnderLock(name, doomed) ? [name] : [];
    }
    return this.#removeWhere(doomed);
  }

  /**
   * Removes leases whose process is gone or whose PID now belongs to a different process (start time
   * differs) and whose link, if any, is gone, plus lease files left unreadable for a while (a crash between create and write). Safe to run
   * concurrently with allocate() and with other reclaimers. Returns the reclaimed addresses.
   */
  reclaimStale(): string[] {
    return this.#removeWhere(isStale);
  }

  /** All current leases (files still being written are skipped). */
  list(): Lease[] {
    const out: Lease[] = [];
    for (const name of this.#names()) {
      const lease = this.#read(name)?.lease;
      if (lease) out.push(lease);
    }
    return out;
  }

  /**
   * The address `text` names if it could be leased statically; throws `EINVAL_IPV4`, `EADDR_OUTSIDE_SUBNET` or
   * `EADDR_RESERVED` otherwise. Touches nothing, so callers can check a request before creating anything.
   */
  validateStatic(text: string): number {
    const address = parseIpv4(text);
    if (!subnetContains(this.subnet, address)) {
      throw new IpamError(`address ${text} is outside ${formatSubnet(this.subnet)}`, { code: 'EADDR_OUTSIDE_SUBNET' });
    }
    const reserved =
      address === this.subnet.network ? 'the network address' :
      address === this.subnet.broadcast ? 'the broadcast address' :
      address === this.gateway ? 'the gateway' : undefined;
    if (reserved) throw new IpamError(`address ${text} is ${reserved} of ${formatSubnet(this.subnet)}`, { code: 'EADDR_RESERVED' });
    return address;
  }

  #allocation(address: number): Allocation {
    const text = formatIpv4(address);
    return {
      address: text,
      prefixLen: this.subnet.prefixLen,
      cidr: `${text}/${this.subnet.prefixLen}`,
      gateway: formatIpv4(this.gateway),
    };
  }

  #file(address: number | string): string {
    return path.join(this.dir, typeof address === 'number' ? formatIpv4(address) : address);
  }

  /**
   * O_EXCL create: true if this process now owns the name, false if someone else already does. The state
   * directory is made on the first ENOENT rather than checked (mkdir -p) before every allocation.
   */
  #tryCreate(name: number | string, content: string): boolean {
    const file = this.#file(name);
    let fd: number;
    try {
      fd = this.#openExclusive(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw this.#ioError('open', file, err);
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    return true;
  }

  #openExclusive(file: string): number {
    try {
      return openSync(file, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      throw this.#ioError('mkdir', this.dir, err);
    }
    return openSync(file, 'wx', 0o644);
  }

  /** Every name in the state directory (leases, locks); none if it does not exist yet. */
  #entries(): string[] {
    try {
      return readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.#ioError('scandir', this.dir, err);
    }
  }

  #names(): string[] {
    return this.#entries().filter(isLeaseName);
  }

  /**
   * Waits (synchronously, up to TEARDOWN_WAIT_MS) while the lease of `name` is held only by a veth the
   * kernel is still destroying: its process is gone but its link exists. Once that link is gone the stale
   * lease is removed (under its lock, as reclaimStale would) and true returned; false at once for a lease a
   * live process holds, or after the wait.
   */
  #awaitTeardown(name: string): boolean {
    const lease = this.#read(name)?.lease;
    if (!lease || lease.link === undefined || processStartTime(lease.pid) === lease.pidStart) return false;
    const deadline = Date.now() + TEARDOWN_WAIT_MS;
    while (linkExists(lease.link)) {
      if (Date.now() > deadline) return false;
      Atomics.wait(SLEEPER, 0, 0, 10);
    }
    this.#removeUnderLock(name, isStale);
    return true;
  }

  /** Reads a lease (or lock) file: open, one read, close; undefined if it does not exist. */
  #read(name: string): Seen | undefined {
    const file = this.#file(name);
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#ioError('open', file, err);
    }
    try {
      const lease = parseLease(name, readSmall(fd));
      return { lease, mtimeMs: lease ? 0 : fstatSync(fd).mtimeMs };
    } finally {
      closeSync(fd);
    }
  }

  /** Removes every lease `doomed` picks: a lock-free first look, then the decision again under the lock. */
  #removeWhere(doomed: (seen: Seen) => boolean): string[] {
    return this.#names().filter((name) => {
      const seen = this.#read(name);
      return seen !== undefined && doomed(seen) && this.#removeUnderLock(name, doomed);
    });
  }

  /**
   * Under the removal lock of `name`, re-reads the lease and unlinks it if `doomed` says so. Returns whether
   * it removed it. Only removers take the lock, and none holds it for more than a few system calls.
   */
  #removeUnderLock(name: string, doomed: (seen: Seen) => boolean): boolean {
    const lock = `.lock-${name}`;
    this.#acquire(lock);
    try {
      const seen = this.#read(name);
      if (!seen || !doomed(seen)) return false;
      unlinkSync(this.#file(name));
      return true;
    } finally {
      unlinkSync(this.#file(lock));
    }
  }

  /**
   * Takes lock file `lock` (O_EXCL, holding our pid and start time). A lock whose holder died is broken by
   * renaming it to a private name and re-checking it there, so two breakers cannot both remove one lock.
   */
  #acquire(lock: string): void {
    const me = JSON.stringify({ owner: 'lock', pid: process.pid, pidStart: (selfStart ??= processStartTime(process.pid)) });
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
      if (this.#tryCreate(lock, me)) return;
      const held = this.#read(lock);
      if (held && isStale(held)) {
        // pid + attempt make the name private to this breaker; no randomness (and no crypto load) needed.
        const broken = `.broken-${lock}-${process.pid}-${attempt}`;
        try {
          renameSync(this.#file(lock), this.#file(broken));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw this.#ioError('rename', this.#file(lock), err);
          continue;
        }
        try {
          const moved = this.#read(broken);
          // Another breaker may have freed the name and a live remover locked it before our rename: put it
          // back. link(2) never overwrites; should a third remover have locked the name in that instant, two
          // removers run at once — only possible after a remover died inside its few-syscall critical section.
          if (moved && !isStale(moved)) linkSync(this.#file(broken), this.#file(lock));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw this.#ioError('link', this.#file(lock), err);
        } finally {
          unlinkSync(this.#file(broken));
        }
        continue;
      }
      // A live remover holds it for microseconds; wait a moment without spinning the CPU.
      Atomics.wait(SLEEPER, 0, 0, 1);
    }
    throw new IpamError(`lease lock ${this.#file(lock)} stayed busy`, { code: 'EBUSY', path: this.#file(lock) });
  }

  #ioError(syscall: string, file: string, err: unknown): IpamError {
    const e = err as NodeJS.ErrnoException;
    return new IpamError(`${syscall} ${file}: ${e.code ?? e.message}`, {
      code: e.code ?? 'EIO',
      ...(e.errno === undefined ? {} : { errno: e.errno }),
      syscall,
      path: file,
      cause: err,
    });
  }
}
