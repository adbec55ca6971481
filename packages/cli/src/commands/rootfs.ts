// rootfs.ts — `ctr rootfs build [--out DIR] [--from-tar FILE]`: the default root filesystem, built offline from
// this host (or imported from a tarball), via @ctr/rootfs.
import { parseVerbArgs, one } from '../args.js';
import { CtrError, invalid } from '../runtime/errors.js';

const help = `Usage: ctr rootfs build [--out DIR] [--from-tar FILE]

Build the default root filesystem (bash, coreutils, procps, ip, the demo programs) from this host into
rootfs/default, or into DIR. With --from-tar, import a rootfs tarball (.tar or .tar.gz, e.g. a docker export)
safely and add the demo programs. A build that has nothing to do says so.
`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    argv,
    { out: { type: 'string' }, 'from-tar': { type: 'string' }, help: { type: 'boolean' } },
    false,
  );
  if (values.help || positionals[0] !== 'build') {
    if (!values.help) throw invalid(`unknown "ctr rootfs" action "${positionals[0] ?? ''}"; use: ctr rootfs build`);
    process.stdout.write(help);
    return 0;
  }
  const { buildDefaultRootfs, importRootfsTarball } = await import('@ctr/rootfs');
  const onProgress = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const out = one(values.out);
  const tar = one(values['from-tar']);
  try {
    const result = tar
      ? await importRootfsTarball({ file: tar, ...(out ? { out } : {}), onProgress })
      : await buildDefaultRootfs({ ...(out ? { out } : {}), onProgress });
    process.stdout.write(`${result.path}\n`);
  } catch (err) {
    if (err instanceof CtrError) throw err;
    const e = err as { code?: string; message?: string };
    throw new CtrError(e.message ?? String(err), { code: e.code ?? 'ERR_CTR_ROOTFS', exitCode: 125, cause: err });
  }
  return 0;
}
