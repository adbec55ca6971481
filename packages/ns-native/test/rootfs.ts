// rootfs.ts — test-only: a tiny root filesystem in a temp dir, made of a few host binaries plus the shared
// libraries `ldd` lists for them (or a copy of /bin/busybox when the host has one). No network, no images.
// The layout mirrors Debian's merged /usr: /bin, /lib, /lib64 are symlinks into /usr.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const TOOLS = [
  ...['sh', 'bash', 'ls', 'cat', 'hostname', 'tty', 'stty', 'sleep', 'readlink', 'grep'],
  ...['id', 'stat', 'touch', 'head', 'wc', 'seq'],
];

function which(tool: string): string {
  const found = ['/usr/bin', '/bin'].map((dir) => path.join(dir, tool)).find((p) => existsSync(p));
  if (found === undefined) throw new Error(`test rootfs: ${tool} not found on the host`);
  return found;
}

function copyInto(root: string, hostPath: string, source = hostPath): void {
  const target = path.join(root, hostPath);
  if (existsSync(target)) return;
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(realpathSync(source), target);
  chmodSync(target, 0o755);
}

/** Creates the rootfs; returns its real absolute path. Remove it with removeRootfs. */
export function buildRootfs(): string {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'ctr-rootfs-')));
  try {
    populate(root);
  } catch (error) {
    removeRootfs(root); // the caller never learns the path, so nobody else could remove it
    throw error;
  }
  return root;
}

function populate(root: string): void {
  mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  mkdirSync(path.join(root, 'usr/lib64'), { recursive: true });
  mkdirSync(path.join(root, 'tmp'), { mode: 0o1777 });
  mkdirSync(path.join(root, 'root'));
  for (const dir of ['bin', 'lib', 'lib64']) symlinkSync(`usr/${dir}`, path.join(root, dir));
  if (existsSync('/bin/busybox')) {
    copyWithLibraries(root, '/bin/busybox');
    for (const tool of TOOLS) symlinkSync('busybox', path.join(root, 'usr/bin', tool));
    return;
  }
  for (const tool of TOOLS) copyWithLibraries(root, which(tool));
}

// Puts the binary in the rootfs's /usr/bin plus its shared libraries.
function copyWithLibraries(root: string, bin: string): void {
  copyInto(root, path.join('/usr/bin', path.basename(bin)), bin);
  copyLibraries(root, bin);
}

/** Copies whatever `ldd` resolves for `bin` into the rootfs, at the same paths (a static binary has none:
 * ldd then exits 1 with "not a dynamic executable"). */
export function copyLibraries(root: string, bin: string): void {
  let libs = '';
  try {
    libs = execFileSync('ldd', [bin], { encoding: 'utf8' });
  } catch {
    return;
  }
  for (const match of libs.matchAll(/(\/\S+) \(0x/g)) copyInto(root, match[1]!);
}

export function removeRootfs(root: string | undefined): void {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
}
