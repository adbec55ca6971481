// inprocess-worker.mjs — the library rows of measure 1: one warm Node process (this one) runs `/bin/true`
// containers through @ctr/cli's `runContainer`, one after another and `concurrency` at once, with `--net none`
// and with the bridge. It pays no exec and no Node start per container, which is where a Node runtime can
// beat every CLI runtime. Run by measures/start.mjs with ctr's bench environment (CTR_STATE_DIR, CTR_BRIDGE,
// CTR_SUBNET); prints one JSON object: per mode, ms per container of each sequential round and of each
// concurrent round (its wall time ÷ concurrency).
// Usage: node inprocess-worker.mjs ROOTFS ROUNDS SEQUENTIAL CONCURRENCY
import { cliLibraryPath } from './context.mjs';

const [rootfs, rounds, sequential, concurrency] = [process.argv[2], ...process.argv.slice(3).map(Number)];
const { runContainer } = await import(cliLibraryPath);
const run = (net) => runContainer({ rootfs, command: ['/bin/true'], net, stdio: [0, 1, 2] }).then((r) => {
  if (r.exitCode !== 0) throw new Error(`runContainer --net ${net}: exit ${r.exitCode}`);
});

const out = {};
for (const net of ['none', 'bridge']) {
  await run(net); // warm: the addon, the bridge, the seccomp cache
  const seq = [];
  const par = [];
  for (let round = 0; round < rounds; round++) {
    let t0 = performance.now();
    for (let i = 0; i < sequential; i++) await run(net);
    seq.push((performance.now() - t0) / sequential);
    t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, () => run(net)));
    par.push((performance.now() - t0) / concurrency);
  }
  out[net] = { seq, par };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
