// loop.mjs — the run order of every timed comparison: all rows once per round, the starting row rotating
// each round, warmup rounds first and discarded. Interleaving rather than running each row's 30 runs in a
// block means a burst of load from other work on the machine hits every row alike instead of one of them.

/**
 * @template R
 * @param {R[]} rows
 * @param {{ warmups: number, runs: number }} counts
 * @param {(row: R, round: number) => Record<string, number> | Promise<Record<string, number>>} measure
 *   one run of one row; returns its figures by metric name
 * @param {import('./cleanup.mjs').Cleanup} cleanup checked between runs: an interrupted bench stops here
 * @returns {Promise<Map<R, Record<string, number[]>>>} the figures of the measured (non-warmup) rounds
 */
export async function interleave(rows, counts, measure, cleanup) {
  const samples = new Map(rows.map((row) => [row, {}]));
  for (let round = 0; round < counts.warmups + counts.runs; round++) {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[(round + k) % rows.length];
      // A turn of the event loop between runs lets a SIGINT handler run even when every run is synchronous.
      await new Promise((r) => setImmediate(r));
      cleanup.assertOpen();
      const figures = await measure(row, round);
      if (round < counts.warmups) continue;
      const into = samples.get(row);
      for (const [metric, value] of Object.entries(figures)) (into[metric] ??= []).push(value);
    }
  }
  return samples;
}
