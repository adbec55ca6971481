// attach.ts — the client side of a container's attach socket (containers/<name>/attach.sock, served by its
// ctr-shim: see init/ctr-shim.c for the frames). Output frames go to the given streams; input and window
// sizes go to the container's pty. The detach keys are docker's: Ctrl-P then Ctrl-Q leaves the container
// running; a Ctrl-P followed by anything else is passed on with it.
import net from 'node:net';
import path from 'node:path';
import { CtrError } from './errors.js';
import { containerDir, type ContainerState } from './state.js';

const CTRL_P = 0x10;
const CTRL_Q = 0x11;

export interface AttachSession {
  /** sends keyboard input (detach keys are looked for here) */
  input(data: Buffer): void;
  resize(rows: number, cols: number): void;
  /** resolves with 'exited' when the container stopped, 'detached' after Ctrl-P Ctrl-Q or close() */
  ended: Promise<'exited' | 'detached'>;
  close(): void;
}

function frame(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Asks the shim of a `ctr create`d container to start it; resolves with its failure record (empty: started). */
export function requestStart(state: ContainerState): Promise<Buffer> {
  const sock = net.connect(path.join(containerDir(state.name), 'attach.sock'));
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    sock.once('connect', () => sock.write(frame('s', Buffer.alloc(0))));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      // Output frames of other clients' interest may come first; the answer is the 'S' frame.
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
        const len = buf.readUInt32BE(1);
        if (buf[0] === 'S'.charCodeAt(0)) {
          sock.destroy();
          resolve(Buffer.from(buf.subarray(5, 5 + len)));
          return;
        }
        buf = buf.subarray(5 + len);
      }
    });
    sock.once('error', (err) => reject(new CtrError(`cannot start container "${state.name}": its supervisor is gone (${err.message})`, {
      code: 'ERR_CTR_START', cause: err,
    })));
    sock.once('close', () => reject(new CtrError(`cannot start container "${state.name}": its supervisor closed the connection`, {
      code: 'ERR_CTR_START',
    })));
  });
}

export function attachContainer(state: ContainerState, out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<AttachSession> {
  const sock = net.connect(path.join(containerDir(state.name), 'attach.sock'));
  return new Promise((resolve, reject) => {
    sock.once('error', (err: NodeJS.ErrnoException) => {
      reject(new CtrError(`cannot attach to container "${state.name}": ${err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'it is not running' : err.message}`, {
        code: 'ERR_CTR_ATTACH', cause: err,
      }));
    });
    sock.once('connect', () => {
      let buf = Buffer.alloc(0);
      let heldCtrlP = false;
      let finish!: (how: 'exited' | 'detached') => void;
      const ended = new Promise<'exited' | 'detached'>((r) => (finish = r));
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
          const type = String.fromCharCode(buf[0]!);
          const payload = buf.subarray(5, 5 + buf.readUInt32BE(1));
          buf = buf.subarray(5 + payload.length);
          if (type === 'o') out.stdout.write(payload);
          else if (type === 'e') out.stderr.write(payload);
          else if (type === 'x') finish('exited');
        }
      });
      sock.on('close', () => finish('detached'));
      sock.on('error', () => finish('detached'));
      const session: AttachSession = {
        input(data) {
          const pass: number[] = [];
          for (const byte of data) {
            if (heldCtrlP) {
              heldCtrlP = false;
              if (byte === CTRL_Q) {
                if (pass.length > 0) sock.write(frame('i', Buffer.from(pass)));
                session.close();
                return;
              }
              pass.push(CTRL_P);
            }
            if (byte === CTRL_P) heldCtrlP = true;
            else pass.push(byte);
          }
          if (pass.length > 0) sock.write(frame('i', Buffer.from(pass)));
        },
        resize(rows, cols) {
          const size = Buffer.alloc(4);
          size.writeUInt16BE(rows, 0);
          size.writeUInt16BE(cols, 2);
          sock.write(frame('w', size));
        },
        ended,
        close() {
          sock.end();
          finish('detached');
        },
      };
      resolve(session);
    });
  });
}
