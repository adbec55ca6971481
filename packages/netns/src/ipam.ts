// ipam.ts — IPv4 address leases for one subnet, stored as one file per address in a state directory
// (the runtime uses /run/ctr/ipam/<net>/). No lock anywhere: a lease is taken by creating its file with
// O_CREAT|O_EXCL (open(2) 'wx'), which exactly one process can win, so concurrent allocators never share an
// address. A lease records the owner's pid and its start time (field 22 of /proc/PID/stat, proc(5)), so a
// recycled PID is never mistaken for the owner. Removal of someone else's lease goes through an atomic
// rename(2) to a private name first, so a reclaimer never deletes a lease that was re-taken meanwhile.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
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

/**
 * Start time of a live process (clock ticks since boot), or undefined if it does not exist or is a zombie
 * (it has exited; only its exit status waits to be reaped, so its lease may go).
 */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses; the fields after the last ')' are unambiguous.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

function isLive(lease: Lease): boolean {
  return processStartTime(lease.pid) === lease.pidStart;
}

function parseLease(address: string, text: string): Lease | undefined {
  try {
    const raw = JSON.parse(text) as Partial<Lease>;
    if (typeof raw.owner !== 'string' || !Number.isInteger(raw.pid) || !Number.isInteger(raw.pidStart)) return undefined;
    return { address, owner: raw.owner, pid: raw.pid as number, pidStart: raw.pidStart as number };
  } catch {
    return undefined;
  }
}

/** Lease files are named by dotted-quad address; claims and other debris start with a dot. */
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
  allocate(request: { owner: string; pid: number; requested?: string }): Allocation {
    const pidStart = processStartTime(request.pid);
    if (pidStart === undefined) {
      throw new IpamError(`cannot lease for pid ${request.pid}: no such process`, { code: 'ESRCH' });
    }
    const content = JSON.stringify({ owner: request.owner, pid: request.pid, pidStart });
    mkdirSync(this.dir, { recursive: true });
    if (request.requested !== undefined) {
      const address = this.#validateStatic(request.requested);
      if (!this.#tryCreate(address, content)) {
        throw new IpamError(`address ${request.requested} is already leased`, {
          code: 'EADDRINUSE',
          path: this.#file(address),
        });
      }
      return this.#allocation(address);
    }
    const taken = new Set(readdirSync(this.dir));
    for (let address = this.subnet.network + 1; address < this.subnet.broadcast; address++) {
      if (address === this.gateway || taken.has(formatIpv4(address))) continue;
      if (this.#tryCreate(address, content)) return this.#allocation(address);
    }
    throw new IpamError(`no free address left in ${formatSubnet(this.subnet)}`, { code: 'ESUBNET_FULL', path: this.dir });
  }

  /** Drops the lease of `address` unconditionally; false if there was none. */
  release(address: string): boolean {
    try {
      unlinkSync(this.#file(parseIpv4(address)));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw this.#ioError('unlink', this.#file(parseIpv4(address)), err);
    }
  }

  /** Drops every lease of `owner`; returns the released addresses. */
  releaseOwner(owner: string): string[] {
    return this.#removeWhere((lease) => lease.owner === owner);
  }

  /**
   * Removes leases whose process is gone or whose PID now belongs to a different process (start time
   * differs), plus lease files left unreadable for a while (a crash between create and write). Safe to run
   * concurrently with allocate() and with other reclaimers. Returns the reclaimed addresses.
   */
  reclaimStale(): string[] {
    return this.#removeWhere((lease) => !isLive(lease), true);
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

  #validateStatic(text: string): number {
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

  /** O_EXCL create: true if this process now owns the address, false if someone else already does. */
  #tryCreate(address: number, content: string): boolean {
    const file = this.#file(address);
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
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

  #names(): string[] {
    try {
      return readdirSync(this.dir).filter(isLeaseName);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.#ioError('scandir', this.dir, err);
    }
  }

  /** Reads lease file `name` (or a claim of it at `file`) with its inode; undefined if the file vanished. */
  #read(name: string, file = this.#file(name)): { lease: Lease | undefined; ino: number; mtimeMs: number } | undefined {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#ioError('open', file, err);
    }
    try {
      const { ino, mtimeMs } = fstatSync(fd);
      return { lease: parseLease(name, readFileSync(fd, 'utf8')), ino, mtimeMs };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Removes the leases matching `doomed`. Each candidate is first renamed to a private claim name (atomic:
   * only one remover can win), then re-checked: same inode as the one judged, still matching. If another
   * process replaced the lease between our read and the rename, the fresh lease is linked back; link(2) fails
   * rather than overwrite, so an allocator that took the address in that instant is never clobbered.
   */
  #removeWhere(doomed: (lease: Lease) => boolean, includeDebris = false): string[] {
    const judge = (seen: { lease: Lease | undefined; mtimeMs: number }): boolean =>
      seen.lease ? doomed(seen.lease) : includeDebris && Date.now() - seen.mtimeMs > UNREADABLE_GRACE_MS;
    const removed: string[] = [];
    for (const name of this.#names()) {
      const seen = this.#read(name);
      if (!seen || !judge(seen)) continue;
      const file = this.#file(name);
      const claim = this.#file(`.claim-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        renameSync(file, claim);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw this.#ioError('rename', file, err);
      }
      const claimed = this.#read(name, claim);
      if (claimed && claimed.ino === seen.ino && judge(claimed)) {
        unlinkSync(claim);
        removed.push(name);
        continue;
      }
      try {
        linkSync(claim, file);
      } catch (err) {
        throw new IpamError(`lease ${name} was re-taken while being reclaimed and could not be restored`, {
          code: 'ELEASE_CONFLICT',
          path: file,
          cause: err,
        });
      } finally {
        unlinkSync(claim);
      }
    }
    return removed;
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
