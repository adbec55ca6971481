// network.test.ts — server and client over loopback: greeting, logs, clean SIGTERM, and the client's
// one-line failures for a refused port and a server that never answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, programPath, runProgram, waitForLine } from './run.js';

const children: ChildProcess[] = [];
const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

function startServer(args: string[]): ChildProcess {
  const child = spawn(programPath('server'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** A loopback port that nothing listens on: bind port 0, note the number, release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('server and client', () => {
  it('greets a client with 25 bytes and logs the peer, then exits 0 with --once', async () => {
    const server = startServer(['--port', '0', '--once']);
    const [, port] = await waitForLine(server, /^listening on 0\.0\.0\.0:(\d+)$/m);
    const accepted = waitForLine(server, /^accepted from 127\.0\.0\.1:(\d+)$/m);

    const client = await runProgram('client', ['127.0.0.1', port!]);
    expect(client).toMatchObject({ code: 0, stderr: '', stdout: 'Received 25 bytes: hello from the other side\n' });
    await accepted;
    expect(await exited(server)).toEqual({ code: 0, signal: null });
  });

  it('serves many clients and exits 0 on SIGTERM', async () => {
    const server = startServer(['--port', '0']);
    const [, port] = await waitForLine(server, /listening on 0\.0\.0\.0:(\d+)/);
    for (let i = 0; i < 2; i++) expect((await runProgram('client', ['127.0.0.1', port!])).code).toBe(0);
    server.kill('SIGTERM');
    expect(await exited(server)).toEqual({ code: 0, signal: null });
  });

  it('client: a refused connection is one line on stderr and exit 1', async () => {
    const result = await runProgram('client', ['127.0.0.1', String(await closedPort())]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^client: cannot connect to 127\.0\.0\.1:\d+: Connection refused\n$/);
  });

  it('client: a server that accepts but never writes times out after 5 s with exit 1', async () => {
    const silent = createServer((socket) => sockets.push(socket));
    servers.push(silent);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as { port: number };

    const started = Date.now();
    const result = await runProgram('client', ['127.0.0.1', String(port)]);
    const elapsed = Date.now() - started;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^client: no reply from 127\.0\.0\.1:\d+: Connection timed out\n$/);
    expect(elapsed).toBeGreaterThanOrEqual(4_900);
    expect(elapsed).toBeLessThan(8_000);
  });
});
