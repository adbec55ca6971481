// args.mjs — the command line of `pnpm bench`. The full pass takes at least 30 runs per timed figure;
// --quick is a short pass (about 2 minutes) for checking the harness, not for quoting numbers.
import path from 'node:path';
import { parseArgs } from 'node:util';

export const measureNames = ['start', 'netsetup', 'memory', 'scale', 'cpu', 'throughput', 'detached', 'exec', 'scale-detached', 'oci', 'sandbox'];

export const usage = `usage: pnpm bench [--quick] [--scale N] [--runs N] [--only LIST] [--max-load L] [--max-wait S] [--out DIR]
  --quick        short pass: fewer runs, shorter waits (results are marked quick)
  --scale N      containers started at once in the scale measure (default 20)
  --runs N       timed runs per row (default 30, quick 10); warmups are extra
  --only LIST    comma-separated subset of: ${measureNames.join(', ')}
  --max-load L   wait before each group until the 1-min load average is below L (default: number of cores / 2)
  --max-wait S   but never longer than S seconds (default 60, quick 10)
  --out DIR      where latest.json and latest.md go (default bench/results)`;

/**
 * @typedef {object} Options
 * @property {boolean} quick
 * @property {number} runs
 * @property {number} warmups
 * @property {number} memoryRuns
 * @property {number} scale
 * @property {number} scaleRuns
 * @property {number} detachedScale detached containers started at once in `scale-detached`
 * @property {number} detachedScaleRuns its runs (each starts all of them)
 * @property {number} cpuWindows one-second windows of the CPU-share measure
 * @property {number} throughputSeconds measured seconds per iperf3 run (whole seconds; quarter-second intervals)
 * @property {number} maxLoad
 * @property {number} maxWaitMs
 * @property {string[]} only
 * @property {string} out
 * @property {boolean} help
 */

function positive(name, text, { integer = true, zero = false } = {}) {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !zero) || (integer && !Number.isInteger(n))) {
    throw new RangeError(`--${name} must be a ${zero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'} (got ${text})`);
  }
  return n;
}

/**
 * Parses the bench's arguments.
 * @param {string[]} argv arguments after the script name
 * @param {{ cores: number, benchDir: string }} env
 * @returns {Options}
 */
export function parseOptions(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      scale: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
      'max-load': { type: 'string' },
      'max-wait': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const quick = values.quick;
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : measureNames;
  for (const name of only) {
    if (!measureNames.includes(name)) throw new RangeError(`--only: unknown measure ${name} (known: ${measureNames.join(', ')})`);
  }
  const runs = values.runs ? positive('runs', values.runs) : quick ? 10 : 30;
  const scale = values.scale ? positive('scale', values.scale) : 20;
  if (scale > 250) throw new RangeError('--scale must be at most 250 (one /24 of the bench subnet)');
  return {
    quick,
    runs,
    warmups: quick ? 2 : 3,
    memoryRuns: quick ? Math.min(runs, 5) : runs,
    scale,
    // Each scale run starts N containers; 30 runs of 100 would take most of the 15-minute budget alone.
    scaleRuns: quick ? 3 : scale > 50 ? 10 : runs,
    // Issue #11's figure is 100 at once; a few runs keep the pass short.
    detachedScale: 100,
    detachedScaleRuns: quick ? 1 : 3,
    cpuWindows: quick ? 8 : runs,
    throughputSeconds: quick ? 2 : 8,
    maxLoad: values['max-load'] ? positive('max-load', values['max-load'], { integer: false }) : env.cores / 2,
    maxWaitMs: (values['max-wait'] ? positive('max-wait', values['max-wait'], { integer: false, zero: true }) : quick ? 10 : 60) * 1000,
    only,
    out: path.resolve(values.out ?? path.join(env.benchDir, 'results')),
    help: values.help,
  };
}
