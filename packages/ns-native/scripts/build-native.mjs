// Builds the addon with node-gyp against the headers of the Node that runs this script, then ctr-init.
// nodejs.org is unreachable here, and pnpm 12 does not forward an .npmrc `nodedir` to scripts,
// so the header directory is passed explicitly (NodeSource debs and official tarballs ship include/node).
// ctr-init is linked statically: it is exec'd from a memfd inside rootfses that may have no libc at all.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prefix = path.resolve(process.execPath, '../..');
const args = ['rebuild'];
if (existsSync(path.join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);

const nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
const run = (cmd, argv) => {
  const r = spawnSync(cmd, argv, { cwd: pkgDir, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, [nodeGyp, ...args]);
// After node-gyp: `rebuild` starts by deleting build/.
const cc = process.env.CC ?? 'gcc';
run(cc, ['-static', '-O2', '-Wall', '-Wextra', '-Werror', 'init/ctr-init.c', '-o', 'build/ctr-init']);
