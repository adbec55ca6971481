// machine.mjs — the machine a run happened on, and how busy it was. Before each group the bench waits until
// the 1-minute load average drops below a threshold (or a maximum wait passes: the figures are then still
// taken, and the table says so); during the group it records the load at both ends and the busy fraction of
// all CPUs from /proc/stat, which includes the bench's own work. See proc(5) (loadavg, stat), uname(2).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { readCpuJiffies, readLoad1 } from './procfs.mjs';
import { busyFraction } from './stats.mjs';

/**
 * Waits until the 1-minute load average is below `maxLoad` or `maxWaitMs` have passed.
 * @param {{ maxLoad: number, maxWaitMs: number }} opts
 * @returns {Promise<{ load1: number, waitedMs: number, quiet: boolean }>}
 */
export async function waitQuiet(opts) {
  const t0 = Date.now();
  for (;;) {
    const load1 = readLoad1();
    const waitedMs = Date.now() - t0;
    if (load1 < opts.maxLoad) return { load1, waitedMs, quiet: true };
    if (waitedMs >= opts.maxWaitMs) return { load1, waitedMs, quiet: false };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Starts recording how busy the machine is; the returned function ends the recording.
 * @returns {() => { load1Start: number, load1End: number, busyPct: number, seconds: number }}
 */
export function recordLoad() {
  const t0 = Date.now();
  const load1Start = readLoad1();
  const before = readCpuJiffies();
  return () => ({
    load1Start,
    load1End: readLoad1(),
    busyPct: Math.round(busyFraction(before, readCpuJiffies()) * 1000) / 10,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  });
}

/** CPU model, core count, memory, kernel, distribution and Node version. */
export function describeMachine() {
  let distro = os.type();
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? distro;
  } catch {
    // no os-release: the kernel line below still identifies the system
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    distro,
    node: process.version,
  };
}
