// atomic.ts — builds a tree next to its destination and renames it into place, so a half-built rootfs
// never sits at the target: rename(2) within one filesystem is atomic, and a failed build only has to
// remove its own temp dir. The tree is built inside a private (0700) hidden sibling, .NAME.tmp-XXXXXX/tree,
// so nobody but root can reach any part of it before it is complete, whatever modes its entries carry.
// A stamp records what the tree was built from, so an unchanged rebuild is skipped. The stamp is a sibling,
// .NAME.ctr-rootfs.json, never a file inside the tree: a container run with --rootfs-rw can write anything
// in the tree, and a stamp there could be forged to make a tampered tree look freshly built. The stamp also
// names the tree's inode, so a tree replaced by other means is rebuilt rather than trusted.
// See rename(2), mkdtemp(3), proc(5) for /proc/self/mountinfo.
import { chmod, lstat, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { RootfsError, errnoCode, fsError } from './errors.js';

/** The stamp of the tree at `out`: a hidden sibling, outside anything a container can write. */
export const stampPath = (out: string): string => join(dirname(out), `.${basename(out)}.ctr-rootfs.json`);

/** Bump when the builder's output changes for the same inputs, so old trees are rebuilt. */
export const BUILDER_VERSION = 1;

interface Stamp<Summary> {
  builder: number;
  inputHash: string;
  /** the tree root's device and inode when the stamp was written */
  dev: number;
  ino: number;
  summary: Summary;
}

export interface AtomicResult<Summary> {
  path: string;
  upToDate: boolean;
  summary: Summary;
}

/**
 * Fails early, before anything is created, when `out` cannot become a rootfs directory.
 * @throws RootfsError `ENOTDIR` (out is a file), `ENOENT` (no parent), `EBUSY` (mounts inside out)
 */
export async function checkOutput(out: string): Promise<void> {
  const parent = dirname(out);
  const parentStat = await stat(parent).catch((err: unknown) => {
    throw fsError(err, `cannot use ${out}: parent directory ${parent}`, parent, 'create it first');
  });
  if (!parentStat.isDirectory()) throw new RootfsError('ENOTDIR', `cannot use ${out}: ${parent} is not a directory`, { path: parent });
  try {
    if (!(await lstat(out)).isDirectory())
      throw new RootfsError('ENOTDIR', `${out} exists and is not a directory: remove it or choose another output path`, { path: out });
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw fsError(err, `cannot use ${out}`, out);
  }
  const mounted = await mountsUnder(out);
  if (mounted.length > 0)
    throw new RootfsError('EBUSY', `${mounted[0]} is mounted inside ${out}: unmount it (or stop its container) first`, { path: mounted[0] });
}

/** Mount points at or below `dir` in this mount namespace; removing such a tree would reach into them. */
async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  // Field 5 is the mount point, with space, tab, newline and backslash escaped as octal (\040).
  const points = info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
  return points.filter((point) => point === dir || point.startsWith(dir + sep));
}

/** The stamp, if it exists and still describes the directory at `out`. */
async function readStamp<Summary>(out: string): Promise<Stamp<Summary> | undefined> {
  try {
    const stamp = JSON.parse(await readFile(stampPath(out), 'utf8')) as Stamp<Summary>;
    const tree = await lstat(out);
    return tree.isDirectory() && tree.dev === stamp.dev && tree.ino === stamp.ino ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds a tree at `out` unless its stamp shows the same `inputHash`. `build` fills a fresh directory (mode
 * 0755, inside a 0700 one) and returns a summary, which is stored in the stamp and returned on later no-op
 * runs. On failure the temp dir is removed and `out` is left as it was.
 */
export async function buildAtomically<Summary>(
  outPath: string,
  inputHash: string,
  onProgress: (message: string) => void,
  build: (dir: string) => Promise<Summary>,
): Promise<AtomicResult<Summary>> {
  const out = resolve(outPath);
  await checkOutput(out);
  const stamp = await readStamp<Summary>(out);
  if (stamp?.builder === BUILDER_VERSION && stamp.inputHash === inputHash) {
    onProgress(`up to date: ${out}`);
    return { path: out, upToDate: true, summary: stamp.summary };
  }

  // mkdtemp(3) creates mode 0700: the fence around the half-built tree.
  const work = await mkdtemp(join(dirname(out), `.${basename(out)}.tmp-`)).catch((err: unknown) => {
    throw fsError(err, `cannot create a temp dir next to ${out}`, dirname(out));
  });
  try {
    const tmp = join(work, 'tree');
    // A root filesystem's / is 0755 (an imported archive may say otherwise).
    await mkdir(tmp, 0o755);
    await chmod(tmp, 0o755);
    const summary = await build(tmp);
    // Gone first: a stamp of the previous tree must not survive if what follows fails halfway.
    await rm(stampPath(out), { force: true });
    await replace(out, tmp, basename(work).slice(-6));
    const tree = await lstat(out);
    const next: Stamp<Summary> = { builder: BUILDER_VERSION, inputHash, dev: tree.dev, ino: tree.ino, summary };
    await writeFile(stampPath(out), JSON.stringify(next, null, 2) + '\n', { mode: 0o644 });
    onProgress(`built ${out}`);
    return { path: out, upToDate: false, summary };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Moves `tmp` to `out`; an existing `out` is renamed aside first and removed once the new tree is in. */
async function replace(out: string, tmp: string, suffix: string): Promise<void> {
  const exists = await lstat(out).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await rename(tmp, out);
    return;
  }
  const old = `${join(dirname(out), `.${basename(out)}.old-`)}${suffix}`;
  await rename(out, old);
  try {
    await rename(tmp, out);
  } catch (err) {
    await rename(old, out);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}
