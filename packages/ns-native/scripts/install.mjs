// install.mjs — the package's install script. A prebuilt addon that loads here is all it needs (nothing is
// compiled); otherwise it builds from source (scripts/build-native.mjs --from-source). When that fails too, the
// install still succeeds: the packages that never touch the addon (cgroups, IPAM, `ctr --version`) keep
// working, and the first use of the addon throws the same one line printed here, naming what is missing.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function loadError() {
  let file;
  try {
    file = require('node-gyp-build').resolve(pkgDir);
  } catch {
    return { reason: undefined };
  }
  try {
    require(file);
    return undefined;
  } catch (err) {
    return { reason: String(err?.message ?? err).split('\n')[0] };
  }
}

const before = loadError();
if (before) {
  const build = spawnSync(process.execPath, [path.join(pkgDir, 'scripts/build-native.mjs'), '--from-source'], {
    cwd: pkgDir,
    stdio: 'inherit',
  });
  const after = build.status === 0 ? loadError() : before;
  if (after) {
    const { missingAddonMessage } = require('./toolchain.cjs');
    process.stderr.write(`@ctr/ns-native: ${missingAddonMessage(pkgDir, after.reason)}\n`);
  }
}
