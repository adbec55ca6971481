// procfs.mjs — what the bench reads from /proc: host-side process trees, their RSS/PSS, per-task CPU time,
// the machine's load. Parsers are pure (tested on fixtures); readers return undefined for a process that
// exited between listing and reading, which is normal while containers come and go.
// See proc(5) (stat, smaps_rollup, loadavg, PID/task/TID/schedstat), pid_namespaces(7).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * Rss and Pss in bytes from the text of /proc/PID/smaps_rollup.
 * @param {string} text
 * @returns {{ rss: number, pss: number }}
 */
export function parseSmapsRollup(text) {
  const kb = (field) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!m) throw new Error(`smaps_rollup has no ${field} line`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('Rss'), pss: kb('Pss') };
}

/**
 * Jiffies of the aggregate "cpu" line of /proc/stat.
 * @param {string} text
 * @returns {number[]}
 */
export function parseProcStatCpu(text) {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no aggregate cpu line');
  return line.trim().split(/\s+/).slice(1).map(Number);
}

/**
 * Parent PID and command name from the text of /proc/PID/stat. The name is in parentheses and may itself
 * contain spaces and parentheses, so the fields after it are found from the last ')'.
 * @param {string} text
 * @returns {{ comm: string, state: string, ppid: number }}
 */
export function parsePidStat(text) {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('malformed /proc/PID/stat');
  const rest = text.slice(close + 2).split(' ');
  return { comm: text.slice(open + 1, close), state: rest[0], ppid: Number(rest[1]) };
}

const tryRead = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** @returns {number[]} jiffies of the aggregate cpu line */
export const readCpuJiffies = () => parseProcStatCpu(readFileSync('/proc/stat', 'utf8'));

/** @returns {number} the 1-minute load average */
export const readLoad1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/**
 * All descendants of `root` (not root itself), from one pass over /proc.
 * @param {number} root
 * @returns {{ pid: number, comm: string }[]}
 */
export function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = tryRead(`/proc/${entry}/stat`);
    if (text === undefined) continue;
    const { comm, ppid } = parsePidStat(text);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push({ pid: Number(entry), comm });
  }
  const out = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/**
 * The PID namespace of a process as its `pid:[inode]` link, or undefined once it is gone.
 * @param {number | 'self'} pid
 */
export function pidNamespace(pid) {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/**
 * RSS and PSS of one process, or undefined once it is gone.
 * @param {number} pid
 */
export function memoryOf(pid) {
  const text = tryRead(`/proc/${pid}/smaps_rollup`);
  return text === undefined ? undefined : parseSmapsRollup(text);
}

/**
 * CPU time in ns of all threads of a process: the first field of each task's schedstat (time on CPU),
 * nanosecond-precise, where stat's utime/stime only count 10 ms ticks.
 * @param {number} pid
 * @returns {number | undefined}
 */
export function cpuTimeNs(pid) {
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let sum = 0;
  for (const tid of tasks) {
    const text = tryRead(`/proc/${pid}/task/${tid}/schedstat`);
    if (text !== undefined) sum += Number(text.split(' ')[0]);
  }
  return sum;
}

/**
 * The path of a process in one cgroup v1 hierarchy (e.g. `cpu` matches a `cpu,cpuacct` line too).
 * @param {number} pid
 * @param {string} controller
 */
export function cgroupOf(pid, controller) {
  const text = tryRead(`/proc/${pid}/cgroup`) ?? '';
  for (const line of text.split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers?.split(',').includes(controller)) return path;
  }
  return undefined;
}

/** @param {number} pid */
export const isAlive = (pid) => tryRead(`/proc/${pid}/stat`) !== undefined;

/**
 * True while a process runs: a zombie (state Z; X is the moment of reaping) has released everything but
 * its PID, which only its parent's wait frees. Orphans are reparented to init, which reaps when it likes.
 * @param {number} pid
 */
export function isRunning(pid) {
  const text = tryRead(`/proc/${pid}/stat`);
  return text !== undefined && !['Z', 'X'].includes(parsePidStat(text).state);
}

/** @param {number} pid @returns {number | undefined} its parent's PID, or undefined once it is gone */
export function parentOf(pid) {
  const text = tryRead(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parsePidStat(text).ppid;
}

/**
 * The chain of parents above `pid`, nearest first, up to (not including) PID 1, a PID in `stopAt`, or a
 * parent that is gone. Above a detached container these are what its runtime left on the host to supervise
 * it (ctr's shim); the chain is empty when the runtime handed the container to init (runc/crun `run -d`).
 * @param {(pid: number) => number | undefined} parentOfPid
 * @param {number} pid
 * @param {Set<number>} stopAt e.g. the bench and its own ancestors, which orphans may be reparented to
 * @returns {number[]}
 */
export function parentsUntil(parentOfPid, pid, stopAt) {
  const out = [];
  for (let p = parentOfPid(pid); p !== undefined && p > 1 && !stopAt.has(p); p = parentOfPid(p)) out.push(p);
  return out;
}
