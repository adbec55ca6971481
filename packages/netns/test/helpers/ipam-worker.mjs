// ipam-worker.mjs — one competing process for the IPAM concurrency tests. argv: ipam module path, state dir,
// subnet, mode (`allocate`, or `reclaim-allocate` to run reclaimStale() first). Protocol over IPC: sends
// 'ready', waits for 'go' (sent to all workers at once, so their allocations really overlap), reports its
// result, then keeps its lease alive (its pid running) until the parent sends 'exit'.
const [modulePath, dir, subnet, mode] = process.argv.slice(2);
const { Ipam } = await import(modulePath);
const ipam = new Ipam({ dir, subnet });
process.on('message', (m) => {
  if (m === 'exit') process.exit(0);
  if (m !== 'go') return;
  try {
    const reclaimed = mode === 'reclaim-allocate' ? ipam.reclaimStale() : [];
    const { address } = ipam.allocate({ owner: `worker-${process.pid}`, pid: process.pid });
    process.send({ pid: process.pid, address, reclaimed });
  } catch (err) {
    process.send({ pid: process.pid, error: `${err.code}: ${err.message}` });
  }
});
process.send('ready');
