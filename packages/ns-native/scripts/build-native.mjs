// Builds the addon against the headers of the Node that runs this script, then the static helpers.
//   node scripts/build-native.mjs              the workspace build: prebuildify compiles the addon into
//                                              prebuilds/<platform-arch>/ctr_native.<libc>.node, what `pnpm pack`
//                                              ships and node-gyp-build loads (N-API: one file for every Node).
//   node scripts/build-native.mjs --from-source  the install-time fallback where no prebuild fits: node-gyp
//                                              configure + build into build/Release (no `rebuild`, which would
//                                              delete the shipped build/static/ before it is rebuilt).
// nodejs.org is unreachable here and pnpm 12 does not forward an .npmrc `nodedir` to scripts, so the header
// directory is passed explicitly (NodeSource debs and official tarballs ship include/node).
// Static helpers: every init/*.c is one program, linked statically into build/static/<name>, because they are
// exec'd (ctr-init from a memfd) inside rootfses that may have no libc at all. Everything in build/static ships.
// ctr-shim stays on the host for every running container, so its size is memory per container: linked with
// musl when musl-gcc is installed (musl-tools) it is ~60 KB, with glibc's static libc ~800 KB.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const fromSource = process.argv.includes('--from-source');
const prefix = path.resolve(process.execPath, '../..');
const nodedir = existsSync(path.join(prefix, 'include/node/node_api.h')) ? prefix : undefined;

const run = (cmd, argv, env = process.env) => {
  const r = spawnSync(cmd, argv, { cwd: pkgDir, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

/** The package's own node-gyp in the workspace; in an install, the one npm runs scripts with. */
function nodeGypScript() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return process.env.npm_config_node_gyp;
  }
}

if (fromSource) {
  const nodeGyp = nodeGypScript();
  const gyp = (verb) => {
    const args = [verb, ...(verb === 'configure' && nodedir ? [`--nodedir=${nodedir}`] : [])];
    if (nodeGyp) run(process.execPath, [nodeGyp, ...args]);
    else run('node-gyp', args);
  };
  gyp('configure');
  gyp('build');
} else {
  const prebuildify = require.resolve('prebuildify/bin.js');
  const env = nodedir ? { ...process.env, npm_config_nodedir: nodedir } : process.env;
  run(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc', '--name', 'ctr_native'], env);
}

const cc = process.env.CC ?? 'gcc';
mkdirSync(path.join(pkgDir, 'build/static'), { recursive: true });
const hasMusl = spawnSync('musl-gcc', ['--version'], { stdio: 'ignore' }).status === 0;
for (const source of readdirSync(path.join(pkgDir, 'init')).filter((f) => f.endsWith('.c'))) {
  const out = path.join('build/static', source.slice(0, -2));
  const compiler = source === 'ctr-shim.c' && hasMusl ? 'musl-gcc' : cc;
  run(compiler, ['-static', '-s', '-O2', '-Wall', '-Wextra', '-Werror', path.join('init', source), '-o', out]);
}
