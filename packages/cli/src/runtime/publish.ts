// publish.ts — `-p HOSTIP:HOSTPORT:CONTAINERPORT` as a TCP proxy inside the `ctr run` process (docker's
// userland proxy does the same). Listeners are bound before the container starts, so a busy port fails the
// run early with nothing created; they close with the container.
import net from 'node:net';
import { CtrError } from './errors.js';
import type { PublishSpec } from './validate.js';

export interface Publisher {
  /** starts forwarding accepted connections to `containerIp` */
  target(containerIp: string): void;
  close(): Promise<void>;
}

function listen(spec: PublishSpec): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new CtrError(
          `cannot publish ${spec.hostIp}:${spec.hostPort}: ${err.code === 'EADDRINUSE' ? 'the port is already in use' : err.message}`,
          { code: err.code ?? 'ERR_CTR_PUBLISH', errno: err.errno, syscall: err.syscall, cause: err },
        ),
      );
    });
    server.listen({ host: spec.hostIp, port: spec.hostPort, exclusive: true }, () => resolve(server));
  });
}

export async function openPublisher(specs: PublishSpec[]): Promise<Publisher> {
  const servers: net.Server[] = [];
  const closeAll = (): Promise<void> =>
    Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
  try {
    for (const spec of specs) servers.push(await listen(spec));
  } catch (err) {
    await closeAll();
    throw err;
  }
  const sockets = new Set<net.Socket>();
  return {
    target(containerIp) {
      servers.forEach((server, i) => {
        const port = specs[i]!.containerPort;
        server.on('connection', (client) => {
          const upstream = net.connect({ host: containerIp, port });
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
            s.on('error', () => {
              client.destroy();
              upstream.destroy();
            });
          }
          client.pipe(upstream).pipe(client);
        });
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await closeAll();
    },
  };
}
