// atomic.ts — builds a tree next to its destination and renames it into place, so a half-built rootfs
// never sits at the target: rename(2) within one directory is atomic, and a failed build only has to
// remove its own temp dir. A stamp file records what the tree was built from, so an unchanged rebuild
// is skipped. The temp and old names are hidden siblings (.NAME.tmp-XXXXXX, .NAME.old-XXXXXX).
// See rename(2), mkdtemp(3), proc(5) for /proc/self/mountinfo.
import { chmod, lstat, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { RootfsError, errnoCode, fsError } from './errors.js';

/** Written inside every built tree; its `inputHash` covers everything the tree was built from. */
export const STAMP_FILE = '.ctr-rootfs.json';

/** Bump when the builder's output changes for the same inputs, so old trees are rebuilt. */
export const BUILDER_VERSION = 1;

interface Stamp<Summary> {
  builder: number;
  inputHash: string;
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

async function readStamp<Summary>(out: string): Promise<Stamp<Summary> | undefined> {
  try {
    return JSON.parse(await readFile(join(out, STAMP_FILE), 'utf8')) as Stamp<Summary>;
  } catch {
    return undefined;
  }
}

/**
 * Builds a tree at `out` unless the stamp there shows the same `inputHash`. `build` fills a fresh temp
 * dir (mode 0755) and returns a summary, which is stored in the stamp and returned on later no-op runs.
 * On failure the temp dir is removed and `out` is left as it was.
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

  const tmp = await mkdtemp(join(dirname(out), `.${basename(out)}.tmp-`)).catch((err: unknown) => {
    throw fsError(err, `cannot create a temp dir next to ${out}`, dirname(out));
  });
  try {
    // mkdtemp(3) creates mode 0700; a root filesystem's / is 0755.
    await chmod(tmp, 0o755);
    const summary = await build(tmp);
    const next: Stamp<Summary> = { builder: BUILDER_VERSION, inputHash, summary };
    await writeFile(join(tmp, STAMP_FILE), JSON.stringify(next, null, 2) + '\n', { mode: 0o644 });
    await replace(out, tmp);
    onProgress(`built ${out}`);
    return { path: out, upToDate: false, summary };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Moves `tmp` to `out`; an existing `out` is renamed aside first and removed once the new tree is in. */
async function replace(out: string, tmp: string): Promise<void> {
  const exists = await lstat(out).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await rename(tmp, out);
    return;
  }
  const old = `${join(dirname(out), `.${basename(out)}.old-`)}${basename(tmp).slice(-6)}`;
  await rename(out, old);
  try {
    await rename(tmp, out);
  } catch (err) {
    await rename(old, out);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}
