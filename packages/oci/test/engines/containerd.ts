// containerd.ts — a containerd of the test's own: root, state, gRPC and ttrpc sockets in one temp dir, the
// CRI plugin and /opt/containerd's plugin off, started as a child and stopped by its PID. Its CLI (also called
// `ctr`: /usr/bin/ctr, never ctr's bin) imports the image from a `podman save` archive and runs containers
// with `--runc-binary RUNTIME`, `--runc-root` in the temp dir (the runtime's --root) and `--fifo-dir` there
// too. The one global path left is /run/containerd/s (the shim's socket dir, fixed in containerd 1.6): removed
// after if this suite made /run/containerd.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { host } from '../../../cli/test/helpers.js';
import { mountPoints } from './leaks.js';
import type { Runtime } from './runtimes.js';

export const CTR = '/usr/bin/ctr';
/** The containerd namespace of the tests; `ctr run` puts a container's group at /<namespace>/<id>. */
export const NAMESPACE = 'ctr-e2e';
export const CONTAINERD_CGROUP_PARENT = `/${NAMESPACE}`;
const RUN_DIR = '/run/containerd';

export class Containerd {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-containerd-'));
  readonly socket = path.join(this.dir, 'containerd.sock');
  readonly log = path.join(this.dir, 'containerd.log');
  private readonly runDirExisted = existsSync(RUN_DIR);
  private daemon?: ChildProcess;

  /** The daemon's pid while it runs (it names the temp dir in its command line, legitimately). */
  get pid(): number | undefined {
    return this.daemon?.exitCode === null ? this.daemon.pid : undefined;
  }

  /** Starts containerd and resolves once it answers on its socket. */
  async start(): Promise<void> {
    const config = path.join(this.dir, 'config.toml');
    writeFileSync(
      config,
      [
        'version = 2',
        `root = "${path.join(this.dir, 'root')}"`,
        `state = "${path.join(this.dir, 'state')}"`,
        // no Kubernetes here; opt would install into /opt/containerd; the others only log that they cannot load
        'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",',
        '  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]',
        '[grpc]',
        `  address = "${this.socket}"`,
        '[ttrpc]',
        `  address = "${this.socket}.ttrpc"`,
        '[debug]',
        '  address = ""',
        '[metrics]',
        '  address = ""',
        '',
      ].join('\n'),
    );
    const log = openSync(this.log, 'a');
    this.daemon = spawn('containerd', ['--config', config], { stdio: ['ignore', log, log] });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (this.daemon.exitCode !== null) throw new Error(`containerd exited ${this.daemon.exitCode}: ${readFileSync(this.log, 'utf8')}`);
      if (existsSync(this.socket) && (await this.ctr(['version'])).code === 0) return;
      if (Date.now() > deadline) throw new Error(`containerd did not answer on ${this.socket}: ${readFileSync(this.log, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** `ctr --address SOCK --namespace ctr-e2e ...args`, resolving with status and output. */
  ctr(args: string[], timeoutMs = 60_000) {
    return host(CTR, this.ctrArgs(args), timeoutMs);
  }

  /** The same as a shell command line, for a terminal. */
  commandLine(args: string[]): string {
    const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`);
    return [CTR, ...this.ctrArgs(args)].map(quote).join(' ');
  }

  private ctrArgs(args: string[]): string[] {
    return ['--address', this.socket, '--namespace', NAMESPACE, ...args];
  }

  /** `--fifo-dir` for `ctr run` and `ctr tasks exec`: the stdio FIFOs in the temp dir, not /run/containerd/fifo. */
  fifoFlags(): string[] {
    const fifo = path.join(this.dir, 'fifo');
    mkdirSync(fifo, { recursive: true });
    return ['--fifo-dir', fifo];
  }

  /** The flags of `ctr run` that put `runtime` under the runc shim with its state in the temp dir. */
  runtimeFlags(runtime: Runtime): string[] {
    return ['--runc-binary', runtime.path, '--runc-root', path.join(this.dir, 'runtime-root', runtime.name), ...this.fifoFlags()];
  }

  /** Stops the daemon by its pid (SIGTERM, SIGKILL after 10 s), then removes what it made. */
  async stop(): Promise<void> {
    const daemon = this.daemon;
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon.once('exit', r));
      daemon.kill('SIGTERM');
      const timer = setTimeout(() => daemon.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    const held = mountPoints().filter((m) => m.startsWith(this.dir));
    if (held.length > 0) throw new Error(`containerd left mounts under ${this.dir}: ${held.join(', ')}`);
    rmSync(this.dir, { recursive: true, force: true });
    // rmdir, not rm -r: a socket left in s/ is a shim still running, a leak to see, not to sweep
    if (!this.runDirExisted) for (const dir of [path.join(RUN_DIR, 's'), RUN_DIR]) if (existsSync(dir)) rmdirSync(dir);
  }
}
