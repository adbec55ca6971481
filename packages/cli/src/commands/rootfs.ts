// rootfs.ts — `ctr rootfs build [--name NAME | --out DIR] [--from-tar FILE]`: the default root filesystem,
// built offline from this host (or imported from a tarball), via @ctr/rootfs, into the store of
// ../runtime/config.ts unless --out names a directory.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseVerbArgs, one } from '../args.js';
import { rootfsStore } from '../runtime/config.js';
import { CtrError, invalid } from '../runtime/errors.js';
import { DEFAULT_ROOTFS_NAME, namedRootfsPath } from '../runtime/rootfs-store.js';

const help = () => `Usage: ctr rootfs build [--name NAME | --out DIR] [--from-tar FILE]

Build the default root filesystem (bash, coreutils, procps, ip, the demo programs) from this host into
${rootfsStore}/default (set CTR_ROOTFS_DIR to move the store), into ${rootfsStore}/NAME, or into DIR.
With --from-tar, import a rootfs tarball (.tar or .tar.gz, e.g. a docker export) safely and add the demo
programs. \`ctr run NAME\` runs a rootfs of the store by name. A build that has nothing to do says so.
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    argv,
    { out: { type: 'string' }, name: { type: 'string' }, 'from-tar': { type: 'string' }, help: { type: 'boolean' } },
    false,
  );
  if (values.help || positionals[0] !== 'build') {
    if (!values.help) throw invalid(`unknown "ctr rootfs" action "${positionals[0] ?? ''}"; use: ctr rootfs build`);
    process.stdout.write(help());
    return 0;
  }
  const name = one(values.name);
  if (name !== undefined && values.out !== undefined) throw invalid('give --name or --out, not both');
  // The name is validated before anything is created; the store is made on first use, as @ctr/rootfs wants
  // the output's parent to exist (mode 755: with --userns the mapped root must be able to reach the rootfs).
  const out = one(values.out) ?? namedRootfsPath(name ?? DEFAULT_ROOTFS_NAME);
  if (values.out === undefined) mkdirSync(rootfsStore, { recursive: true, mode: 0o755 });
  // require (of an ES module: Node >= 20.19), not import(): see bin.ts on the code cache.
  const { buildDefaultRootfs, importRootfsTarball } = createRequire(import.meta.url)('@ctr/rootfs') as typeof import('@ctr/rootfs');
  const onProgress = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const tar = one(values['from-tar']);
  try {
    const result = tar
      ? await importRootfsTarball({ file: tar, out, onProgress })
      : await buildDefaultRootfs({ out, onProgress });
    process.stdout.write(`${result.path}\n`);
  } catch (err) {
    if (err instanceof CtrError) throw err;
    const e = err as { code?: string; message?: string };
    throw new CtrError(e.message ?? String(err), { code: e.code ?? 'ERR_CTR_ROOTFS', exitCode: 125, cause: err });
  }
  return 0;
}
