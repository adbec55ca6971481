// default-rootfs.ts — builds ctr's default root filesystem offline from this host: the programs of
// manifest.ts with the loader and shared libraries their ELF headers ask for, terminfo, a generated /etc
// and the demo programs. The tree mirrors the host's layout (merged /usr links included), so absolute
// symlinks and the loader's built-in paths resolve inside it exactly as on the host.
import { access, constants, lstat, readlink, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILDER_VERSION, buildAtomically, checkOutput } from './atomic.js';
import { demoOps } from './demo.js';
import { RootfsError } from './errors.js';
import { etcOps } from './etc.js';
import { resolveSharedObjects } from './libraries.js';
import { MERGED_USR_LINKS, OPTIONAL_PROGRAMS, PROGRAM_DIRS, REQUIRED_PROGRAMS, TERMINALS, TERMINFO_DIRS } from './manifest.js';
import { applyOps, dedupe, hashOps, planHostFile, type TreeOp } from './tree-ops.js';

export interface BuildDefaultOptions {
  /** Output directory; default `<@ctr/rootfs package>/default`. Its parent must exist. */
  out?: string;
  /** Called with one line per long step (resolving, copying, up to date). */
  onProgress?: (message: string) => void;
}

export interface DefaultRootfsSummary {
  /** Regular files copied from the host (programs, libraries, terminfo, demo programs). */
  files: number;
  /** Their total size in bytes. */
  bytes: number;
  /** Optional programs and terminal types this host does not have. */
  missing: string[];
}

export interface DefaultRootfsResult extends DefaultRootfsSummary {
  path: string;
  /** True when the existing tree was built from the same inputs and nothing was done. */
  upToDate: boolean;
}

/** `<package dir>/default`: this module runs from src/ (tests) or dist/ (bundle), one level down. */
export const DEFAULT_ROOTFS_DIR = join(dirname(dirname(fileURLToPath(import.meta.url))), 'default');

async function findProgram(name: string): Promise<string | undefined> {
  for (const dir of PROGRAM_DIRS) {
    const path = join(dir, name);
    try {
      if ((await stat(path)).isFile()) {
        await access(path, constants.X_OK);
        return path;
      }
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function findTerminfo(name: string): Promise<string | undefined> {
  for (const dir of TERMINFO_DIRS) {
    const path = join(dir, name[0]!, name);
    if (await stat(path).then((st) => st.isFile(), () => false)) return path;
  }
  return undefined;
}

/** bin → usr/bin and friends, exactly as the host has them (none on a host without merged /usr). */
async function layoutOps(): Promise<TreeOp[]> {
  const ops: TreeOp[] = [];
  for (const name of MERGED_USR_LINKS) {
    const path = `/${name}`;
    const isLink = await lstat(path).then((st) => st.isSymbolicLink(), () => false);
    if (isLink) ops.push({ kind: 'symlink', treePath: path, target: await readlink(path) });
  }
  return ops;
}

/** Everything the default rootfs is made of, in order; cheap enough to recompute for the up-to-date check. */
async function planDefaultRootfs(): Promise<{ ops: TreeOp[]; missing: string[] }> {
  const missingRequired: string[] = [];
  const missing: string[] = [];
  const programs: string[] = [];
  for (const name of [...REQUIRED_PROGRAMS, ...OPTIONAL_PROGRAMS]) {
    const path = await findProgram(name);
    if (path) programs.push(path);
    else (REQUIRED_PROGRAMS.includes(name) ? missingRequired : missing).push(name);
  }
  if (missingRequired.length > 0)
    throw new RootfsError('ENOPROG', `this host lacks ${missingRequired.join(', ')}: install them (e.g. procps, iproute2) and retry`);

  const terminfo: string[] = [];
  for (const name of TERMINALS) {
    const path = await findTerminfo(name);
    if (path) terminfo.push(path);
    else missing.push(`terminfo ${name}`);
  }

  const libraries = await resolveSharedObjects(programs);
  const chains = await Promise.all([
    ...[...programs, ...terminfo].map((path) => planHostFile(path)),
    ...libraries.map((lib) => planHostFile(lib.hostPath, lib.treePath === lib.hostPath ? undefined : lib.treePath)),
  ]);
  const ops: TreeOp[] = [...(await layoutOps()), ...etcOps(), ...chains.flat()];
  if (!programs.some((path) => path.endsWith('/sh'))) ops.push({ kind: 'symlink', treePath: '/usr/bin/sh', target: 'bash' });
  ops.push(...(await demoOps()));
  return { ops: dedupe(ops), missing };
}

/**
 * Builds (or confirms up to date) the default root filesystem from this host, offline. Root is not
 * needed; copied files belong to the caller, which is root when a container runs from the tree.
 * @throws RootfsError `ENOPROG` (a required program is missing on the host), `ENOLIB`, `ENODEMO`,
 *   `ENOTDIR`/`ENOENT`/`EBUSY` (unusable output path); nothing is left behind on failure
 */
export async function buildDefaultRootfs(options: BuildDefaultOptions = {}): Promise<DefaultRootfsResult> {
  const onProgress = options.onProgress ?? (() => {});
  // An unusable output path is said alone, before any progress line (buildAtomically checks it again).
  await checkOutput(options.out ?? DEFAULT_ROOTFS_DIR);
  onProgress('resolving programs and shared libraries');
  const { ops, missing } = await planDefaultRootfs();
  if (missing.length > 0) onProgress(`not on this host, left out: ${missing.join(', ')}`);
  const inputHash = hashOps(ops, `default-rootfs ${BUILDER_VERSION}`);
  const result = await buildAtomically(options.out ?? DEFAULT_ROOTFS_DIR, inputHash, onProgress, async (dir) => {
    await applyOps(dir, ops, onProgress);
    const copied = ops.filter((op) => op.kind === 'file');
    return { files: copied.length, bytes: copied.reduce((sum, op) => sum + op.size, 0), missing };
  });
  return { path: result.path, upToDate: result.upToDate, ...result.summary };
}
