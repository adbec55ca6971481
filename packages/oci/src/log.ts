// log.ts — where ctrun's errors and warnings go. Engines read them back: containerd's shim passes
// `--log B/log.json --log-format json` and reports the last `"level":"error"` line as the failure; podman
// (conmon) reads stderr. So an error is written to the --log file in the chosen format (text: logrus'
// `time=… level=… msg=…`, json: one object per line) and as one plain line on stderr, as runc does.
// Output uses writeSync on fds 1 and 2: Node's process.stdout/stderr would set O_NONBLOCK on a pipe, a flag
// shared with whoever else holds it (the container, later).
import { appendFileSync, writeSync } from 'node:fs';
import type { GlobalOptions, LogLevel } from './args.js';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const LOGRUS: Record<LogLevel, string> = { debug: 'debug', info: 'info', warn: 'warning', error: 'error' };

export function logLine(format: GlobalOptions['logFormat'], level: LogLevel, msg: string, time = new Date()): string {
  const stamp = time.toISOString();
  if (format === 'json') return `${JSON.stringify({ level: LOGRUS[level], msg, time: stamp })}\n`;
  return `time=${JSON.stringify(stamp)} level=${LOGRUS[level]} msg=${JSON.stringify(msg)}\n`;
}

/** Writes all of `text` to fd (a short write to a pipe is continued, never dropped). */
export function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text);
  for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset);
}

export class Logger {
  constructor(private readonly options: Pick<GlobalOptions, 'log' | 'logFormat' | 'logLevel'>) {}

  log(level: LogLevel, msg: string): void {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(this.options.logLevel)) return;
    const line = logLine(this.options.logFormat, level, msg);
    if (this.options.log !== undefined) {
      try {
        appendFileSync(this.options.log, line);
      } catch (cause) {
        // the log is the engine's channel; when it cannot be written, stderr still carries the message
        writeAll(2, `ctrun: cannot write log ${this.options.log}: ${(cause as NodeJS.ErrnoException).code}\n`);
      }
    }
    if (level === 'error' || this.options.log === undefined)
      writeAll(2, this.options.log === undefined && this.options.logFormat === 'json' ? line : `ctrun: ${msg}\n`);
  }

  error(msg: string): void {
    this.log('error', msg);
  }

  warn(msg: string): void {
    this.log('warn', msg);
  }
}
