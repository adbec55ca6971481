// podman.ts — a podman of the test's own: storage root, run root, tmp dir, events log, network config and
// containers.conf all in one temp dir (nothing global is read or written but the runtimes' default state
// roots), an image imported offline from rootfs/default (no registry here), and every runtime under test
// named in containers.conf so podman hands it `--log-format json` like runc and crun.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { host } from '../../../cli/test/helpers.js';
import { mountPoints } from './leaks.js';
import { defaultRootfs, type Runtime } from './runtimes.js';

export const IMAGE = 'localhost/ctr-e2e:latest';
/** podman's cgroup parent under the cgroupfs manager; it makes it and leaves it when the last container goes. */
export const PODMAN_CGROUP_PARENT = '/libpod_parent';
/**
 * Every `podman run` of the tests: no network (podman's default bridge would add a netavark/CNI bridge and
 * veths on the host); rlimits kept at what this host lets a process have (podman's defaults raise nofile to
 * 1048576, which these machines refuse).
 */
export const RUN_FLAGS = ['--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

export class Podman {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-podman-'));
  readonly conf = path.join(this.dir, 'containers.conf');
  /** the overlay storage driver's home */
  readonly storageHome = path.join(this.dir, 'root', 'overlay');
  readonly env: NodeJS.ProcessEnv;
  /** The global flags that keep podman in `dir`; also the start of a shell command line (for tmux). */
  readonly global: string[];

  constructor(runtimes: Runtime[]) {
    for (const sub of ['root', 'runroot', 'tmp', 'networks']) mkdirSync(path.join(this.dir, sub));
    // CONTAINERS_CONF replaces /etc/containers and /usr/share/containers' files: only this one is read.
    writeFileSync(
      this.conf,
      [
        '[network]',
        `network_config_dir = "${path.join(this.dir, 'networks')}"`,
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `runtime_supports_json = [${runtimes.map((r) => `"${r.name}"`).join(', ')}]`,
        '[engine.runtimes]',
        ...runtimes.map((r) => `${r.name} = ["${r.path}"]`),
        '',
      ].join('\n'),
    );
    this.env = { ...process.env, CONTAINERS_CONF: this.conf };
    this.global = ['--root', path.join(this.dir, 'root'), '--runroot', path.join(this.dir, 'runroot'), '--tmpdir', path.join(this.dir, 'tmp')];
  }

  /** `podman [global flags] ...args`, resolving with status and output. */
  run(args: string[], timeoutMs = 60_000) {
    return host('podman', [...this.global, ...args], timeoutMs, { env: this.env });
  }

  /** The same as a shell command line, for a terminal. */
  commandLine(args: string[]): string {
    const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`);
    return ['env', `CONTAINERS_CONF=${this.conf}`, 'podman', ...this.global, ...args].map(quote).join(' ');
  }

  /** Imports rootfs/default as IMAGE (`podman import` of its tarball). */
  importImage(): void {
    const tar = path.join(this.dir, 'rootfs.tar');
    execFileSync('tar', ['-C', defaultRootfs, '-cf', tar, '.']);
    execFileSync('podman', [...this.global, 'import', '--quiet', tar, IMAGE], { env: this.env });
    rmSync(tar);
  }

  /** Writes IMAGE as a docker-archive (what `ctr images import` reads) to `file`. */
  saveImage(file: string): void {
    execFileSync('podman', [...this.global, 'save', '--quiet', '--format', 'docker-archive', '-o', file, IMAGE], { env: this.env });
  }

  /**
   * Removes every container and image, then the temp dir. A mount left under it would make `rm` fail (and is a
   * leak the suites' checks report), so it is checked first rather than forced.
   */
  remove(): void {
    try {
      execFileSync('podman', [...this.global, 'rm', '--all', '--force'], { env: this.env, stdio: 'ignore' });
      execFileSync('podman', [...this.global, 'rmi', '--all', '--force'], { env: this.env, stdio: 'ignore' });
    } finally {
      const held = mountPoints().filter((m) => m.startsWith(this.dir));
      if (held.length > 0) throw new Error(`podman left mounts under ${this.dir}: ${held.join(', ')}`);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
