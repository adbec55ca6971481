// connect-worker.mjs — one container's network setup racing others on the same (new) bridge.
// argv: path of the transpiled index.js, then a JSON ConnectOptions. Protocol over IPC: sends 'ready' once
// loaded, runs connectContainer on 'go' (sent to all workers at once), reports `{ ok }` or `{ error }`, exits.
const [modulePath, json] = process.argv.slice(2);
const { connectContainer } = await import(modulePath);
process.once('message', () => {
  try {
    process.send({ ok: connectContainer(JSON.parse(json)) }, () => process.exit(0));
  } catch (err) {
    process.send({ error: `${err.code}: ${err.message}` }, () => process.exit(0));
  }
});
process.send('ready');
