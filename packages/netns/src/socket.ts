// socket.ts — a synchronous request/reply NETLINK_ROUTE socket over @ctr/ns-native's fd primitives.
// Each request gets a fresh sequence number; replies are matched by seq (stale replies of an earlier, timed-out
// request are dropped), dumps are read until NLMSG_DONE, and NLMSG_ERROR becomes a NetlinkError carrying the
// negative errno and the kernel's extended-ACK text. Sync on purpose: a route request completes in
// microseconds, far less than a thread-pool hop would cost. Several ACKed changes can go in one datagram
// (requestBatch): the kernel runs them in order and ACKs each, so one send replaces a round trip per change.
// See: netlink(7), rtnetlink(7).
import { closeFd, netlinkOpen, netlinkRecv, netlinkSend } from '@ctr/ns-native';

import { decodeError, decodeHeader, decodeMessages, type NlMessage } from './codec.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_MULTI, NLMSG_DONE, NLMSG_ERROR, RTM_NAMES } from './constants.js';
import { NetlinkError, NetnsError } from './errors.js';

/** Dumps that raced with a change (NLM_F_DUMP_INTR) are retried this often before giving up. */
const DUMP_ATTEMPTS = 3;

/** One change of a batch: an NLM_F_ACK request and the object it names in error messages. */
export interface BatchRequest {
  message: Buffer;
  context?: string;
}

export class NetlinkSocket {
  #fd: number;
  #seq: number;
  /** The netns path this socket was opened in, or undefined for the caller's own netns. */
  readonly netnsPath: string | undefined;
  /** Receive timeout per datagram, in milliseconds. */
  timeoutMs = 5000;

  private constructor(fd: number, netnsPath: string | undefined) {
    this.#fd = fd;
    this.netnsPath = netnsPath;
    // A random start keeps two sockets of one process from ever sharing sequence numbers in traces.
    this.#seq = (Math.random() * 0x7fffffff) >>> 0;
  }

  /**
   * Opens a NETLINK_ROUTE socket in the caller's netns, or inside the netns at `netnsPath`
   * (`/proc/PID/ns/net`, or `/proc/self/fd/N` for an fd you hold). The socket keeps talking to that netns
   * for its whole life. Throws the ns-native error (code, errno, syscall, path) wrapped in a NetnsError.
   */
  static open(netnsPath?: string): NetlinkSocket {
    try {
      return new NetlinkSocket(netlinkOpen(netnsPath), netnsPath);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // A kernel refusal is named by its code; an addon that cannot load (no errno) by its own one line.
      const why = e.errno === undefined ? e.message : e.code;
      throw new NetnsError(`open netlink socket${netnsPath ? ` in ${netnsPath}` : ''}: ${why}`, {
        code: e.code ?? 'ENETLINK',
        ...(e.errno === undefined ? {} : { errno: e.errno }),
        syscall: e.syscall ?? 'socket',
        ...(netnsPath === undefined ? {} : { path: netnsPath }),
        cause: err,
      });
    }
  }

  /**
   * Sends one request (its seq field is overwritten) and returns the kernel's reply messages: the entries of
   * a dump, the answer of a GET, or nothing for an ACKed change. Throws NetlinkError on NLMSG_ERROR.
   * @param context names the object in error messages, e.g. `veth ctr0a1b`
   */
  request(message: Buffer, context?: string): NlMessage[] {
    const header = decodeHeader(message);
    const isDump = (header.flags & NLM_F_DUMP) === NLM_F_DUMP;
    for (let attempt = 1; ; attempt++) {
      const { replies, interrupted } = this.#exchange(message, header.type, header.flags, context);
      if (!isDump || !interrupted || attempt === DUMP_ATTEMPTS) return replies;
    }
  }

  /**
   * Sends several change requests (each with NLM_F_ACK, none a dump) in one datagram and returns each one's
   * replies (e.g. an NLM_F_ECHO copy), in request order. The kernel processes the messages one after the
   * other and does not stop at a failure, so all ACKs are read before anything is thrown; then the first
   * failing request's NetlinkError is thrown (later failures usually follow from it and are attached as
   * `laterErrors`). A request may rely on the ones before it (an address, then a route via it).
   */
  requestBatch(requests: BatchRequest[]): NlMessage[][] {
    const results: NlMessage[][] = requests.map(() => []);
    if (requests.length === 0) return results;
    const seqs = new Map<number, number>();
    const names: string[] = [];
    for (const [i, { message }] of requests.entries()) {
      const header = decodeHeader(message);
      if (!(header.flags & NLM_F_ACK) || (header.flags & NLM_F_DUMP) === NLM_F_DUMP) {
        throw new NetnsError('requestBatch: every request needs NLM_F_ACK and none may be a dump', { code: 'EINVAL' });
      }
      const seq = this.#nextSeq();
      message.writeUInt32LE(seq, 8);
      seqs.set(seq, i);
      names.push(RTM_NAMES[header.type] ?? `type ${header.type}`);
    }
    const batchName = requests.length === 1 ? names[0]! : `batch of ${requests.length}`;
    const firstContext = requests[0]!.context;
    this.#io(() => netlinkSend(this.#fd, Buffer.concat(requests.map((r) => r.message))), batchName, firstContext);
    const errors: { index: number; error: NetlinkError }[] = [];
    let pending = requests.length;
    while (pending > 0) {
      for (const msg of decodeMessages(this.#io(() => netlinkRecv(this.#fd, this.timeoutMs), batchName, firstContext))) {
        const index = seqs.get(msg.header.seq);
        if (index === undefined) continue;
        if (msg.header.type !== NLMSG_ERROR) {
          results[index]!.push(msg);
          continue;
        }
        seqs.delete(msg.header.seq);
        pending--;
        const err = decodeError(msg.payload, msg.header.flags);
        if (err.error !== 0) {
          errors.push({ index, error: new NetlinkError(names[index]!, err.error, requests[index]!.context, err.extAckMessage) });
        }
      }
    }
    if (errors.length > 0) {
      errors.sort((a, b) => a.index - b.index);
      const [first, ...later] = errors;
      if (later.length > 0) Object.assign(first!.error, { laterErrors: later.map((e) => e.error) });
      throw first!.error;
    }
    return results;
  }

  #nextSeq(): number {
    if (this.#fd < 0) throw new NetnsError('netlink socket is closed', { code: 'ERR_SOCKET_CLOSED' });
    return (this.#seq = (this.#seq + 1) >>> 0);
  }

  /** Runs a send or receive; its failure names the request (EAGAIN from recv: no answer within timeoutMs). */
  #io<T>(call: () => T, requestName: string, context: string | undefined): T {
    try {
      return call();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const what = context ? `${requestName} ${context}` : requestName;
      throw new NetnsError(`${what}: ${e.syscall ?? 'netlink'}: ${e.code ?? e.message}`, {
        code: e.code ?? 'ENETLINK',
        ...(e.errno === undefined ? {} : { errno: e.errno }),
        syscall: e.syscall ?? 'netlink',
        cause: err,
      });
    }
  }

  #exchange(
    message: Buffer,
    type: number,
    flags: number,
    context: string | undefined,
  ): { replies: NlMessage[]; interrupted: boolean } {
    const seq = this.#nextSeq();
    message.writeUInt32LE(seq, 8);
    const requestName = RTM_NAMES[type] ?? `type ${type}`;
    this.#io(() => netlinkSend(this.#fd, message), requestName, context);
    const replies: NlMessage[] = [];
    let interrupted = false;
    for (;;) {
      for (const msg of decodeMessages(this.#io(() => netlinkRecv(this.#fd, this.timeoutMs), requestName, context))) {
        if (msg.header.seq !== seq) continue;
        if (msg.header.flags & NLM_F_DUMP_INTR) interrupted = true;
        if (msg.header.type === NLMSG_ERROR) {
          const err = decodeError(msg.payload, msg.header.flags);
          if (err.error !== 0) throw new NetlinkError(requestName, err.error, context, err.extAckMessage);
          return { replies, interrupted };
        }
        if (msg.header.type === NLMSG_DONE) {
          // A dump that failed midway reports its errno in the NLMSG_DONE payload.
          const error = msg.payload.length >= 4 ? msg.payload.readInt32LE(0) : 0;
          if (error < 0) throw new NetlinkError(requestName, error, context, undefined);
          return { replies, interrupted };
        }
        replies.push(msg);
        // A GET without NLM_F_ACK is answered by exactly one non-multipart message.
        if (!(msg.header.flags & NLM_F_MULTI) && !(flags & NLM_F_ACK)) return { replies, interrupted };
      }
    }
  }

  /** Closes the socket; later requests throw ERR_SOCKET_CLOSED. Safe to call twice. */
  close(): void {
    if (this.#fd < 0) return;
    closeFd(this.#fd);
    this.#fd = -1;
  }
}
