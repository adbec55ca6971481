// run.ts — run(): one sandboxed program to completion, as a code runner or judge wants it — stdin from a
// string, stdout and stderr captured up to a size, a wall-clock limit, and the report of what it did and used.
// It is spawn() (./spawn.ts) plus the capture: output past `maxOutputBytes` SIGKILLs the container and is cut
// there, as child_process.exec does with its maxBuffer (a flood would otherwise run until its time-out, and
// holding it would cost this process the memory).
import type { Readable } from 'node:stream';
import { invalid } from '../runtime/errors.js';
import { spawn, type SandboxOptions, type SandboxResult, type StdinOption } from './spawn.js';

export interface SandboxRunOptions extends SandboxOptions {
  /** data, a stream, /dev/null ('ignore', the default), this process's stdin ('inherit') or an fd */
  stdin?: Exclude<StdinOption, 'pipe'>;
  /** bytes kept of stdout and of stderr each (default 1 MiB, as child_process.exec); more ends the run */
  maxOutputBytes?: number;
  /** 'utf8' (default) or another text encoding for the captured output, or 'buffer' for Buffers */
  encoding?: BufferEncoding | 'buffer';
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** Reads `stream` to its end, keeping the first `limit` bytes; calls `onOverflow` once when more came. */
function capture(stream: Readable, limit: number, onOverflow: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let overflowed = false;
  stream.on('data', (chunk: Buffer) => {
    const room = limit - kept;
    if (chunk.length <= room) {
      chunks.push(chunk);
      kept += chunk.length;
      return;
    }
    if (room > 0) {
      chunks.push(chunk.subarray(0, room));
      kept = limit;
    }
    if (!overflowed) {
      overflowed = true;
      onOverflow();
    }
  });
  return new Promise((resolve) => {
    // A read error on our own pipe end (none is expected) ends the capture with what came so far.
    stream.on('error', () => {});
    stream.on('close', () => resolve(Buffer.concat(chunks, kept)));
  });
}

/**
 * Runs `options.command` in a new container to its end and reports it. Rejects with a CtrError when the
 * container cannot be made or its command cannot start (exitCode 126/127 on the error), and with an
 * AbortError when `signal` aborts before the command runs; nothing is left behind either way.
 */
export function run(options: SandboxRunOptions & { encoding: 'buffer' }): Promise<SandboxResult<Buffer>>;
export function run(options: SandboxRunOptions): Promise<SandboxResult<string>>;
export async function run(options: SandboxRunOptions): Promise<SandboxResult<string | Buffer>> {
  const { maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES, encoding = 'utf8', ...rest } = options ?? ({} as SandboxRunOptions);
  if (!(maxOutputBytes === Infinity || (Number.isSafeInteger(maxOutputBytes) && maxOutputBytes >= 0))) {
    throw invalid(`invalid maxOutputBytes ${String(maxOutputBytes)}: use a whole number of bytes, or Infinity`);
  }
  if (encoding !== 'buffer' && !Buffer.isEncoding(encoding)) throw invalid(`invalid encoding ${String(encoding)}: use 'buffer' or a Buffer encoding such as 'utf8'`);
  if ((rest.stdin as unknown) === 'pipe') throw invalid("stdin 'pipe' needs spawn(), which returns the stream to write; run() takes the data itself");
  const proc = spawn({ ...rest, stdout: rest.stdout ?? 'pipe', stderr: rest.stderr ?? 'pipe' });
  let truncated = false;
  const overflow = (): void => {
    truncated = true;
    proc.kill('SIGKILL');
  };
  const stdout = proc.stdout ? capture(proc.stdout, maxOutputBytes, overflow) : undefined;
  const stderr = proc.stderr ? capture(proc.stderr, maxOutputBytes, overflow) : undefined;
  const result = await proc.result;
  const decode = (data: Buffer): string | Buffer => (encoding === 'buffer' ? data : data.toString(encoding));
  const { usage, ...status } = result;
  return {
    ...status,
    ...(stdout ? { stdout: decode(await stdout) } : {}),
    ...(stderr ? { stderr: decode(await stderr) } : {}),
    outputTruncated: truncated,
    usage,
  };
}
