// stats.mjs — the figures every table shows: median, min, max and ratios of medians. Medians, not means:
// one run delayed by another engineer's test suite on a shared 2-core box must not move the headline figure.

/**
 * Summarizes samples (any unit).
 * @param {number[]} samples
 * @returns {{ n: number, median: number, min: number, max: number }}
 */
export function summarize(samples) {
  if (samples.length === 0) throw new RangeError('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * Ratio of two medians, `subject / other`; undefined when either side is missing or the divisor is zero.
 * @param {{ median: number } | undefined} subject
 * @param {{ median: number } | undefined} other
 * @returns {number | undefined}
 */
export function ratio(subject, other) {
  if (!subject || !other || other.median === 0) return undefined;
  return subject.median / other.median;
}

/**
 * Busy fraction of all CPUs between two /proc/stat "cpu" lines (see proc(5)): everything but idle and iowait.
 * @param {number[]} before jiffies of the aggregate "cpu" line
 * @param {number[]} after
 * @returns {number} 0..1
 */
export function busyFraction(before, after) {
  const delta = after.map((v, i) => v - (before[i] ?? 0));
  const total = delta.reduce((a, b) => a + b, 0);
  if (total <= 0) return 0;
  // Fields 3 and 4 are idle and iowait; guest time is already counted in user and must not count twice.
  const idle = (delta[3] ?? 0) + (delta[4] ?? 0);
  const guest = (delta[8] ?? 0) + (delta[9] ?? 0);
  return Math.max(0, Math.min(1, (total - guest - idle) / (total - guest)));
}
