// toolchain.cjs — says in one line why the addon cannot load here: which platform this is, which prebuilt
// binaries the package ships, and which build tools a source build would need but PATH lacks. CommonJS so
// that both the install script (plain Node) and lib/native.ts (bundled into other packages' dist/, loading
// this file from the installed package at run time) use the same words.
'use strict';
const { accessSync, constants, readdirSync } = require('node:fs');
const path = require('node:path');

/** node-gyp runs python3 and make and compiles C++; the static helpers need a C compiler (gcc -static). */
const BUILD_TOOLS = [
  { names: ['python3'], label: 'python3' },
  { names: ['make'], label: 'make' },
  { names: [process.env.CXX ?? 'g++', 'c++'], label: 'a C++ compiler (g++)' },
  { names: [process.env.CC ?? 'gcc', 'cc'], label: 'a C compiler (gcc)' },
];

function onPath(name) {
  if (name.includes('/')) return isExecutable(name);
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && isExecutable(path.join(dir, name)));
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The build tools PATH lacks, as words for the message (empty when a source build could run). */
function missingBuildTools() {
  return BUILD_TOOLS.filter((tool) => !tool.names.some(onPath)).map((tool) => tool.label);
}

/**
 * `linux-x64 glibc`: what node-gyp-build matches prebuilds/ against. Like it, `LIBC` overrides (the tests use
 * it to play a musl system); else glibc is the libc that reports a version.
 */
function currentTarget() {
  const libc = process.env.LIBC ?? (process.report?.getReport?.().header?.glibcVersionRuntime ? 'glibc' : 'musl');
  return `${process.platform}-${process.arch} ${libc}`;
}

/** `linux-x64 glibc` for each prebuilds/<platform-arch>/<name>.<libc>.node the package ships. */
function shippedPrebuilds(packageDir) {
  const dir = path.join(packageDir, 'prebuilds');
  const list = (d) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  };
  return list(dir).flatMap((tuple) =>
    list(path.join(dir, tuple))
      .filter((f) => f.endsWith('.node'))
      .map((f) => {
        const libc = /\.(glibc|musl)\.node$/.exec(f)?.[1];
        return libc ? `${tuple} ${libc}` : tuple;
      }),
  );
}

/**
 * One line: what is missing and what to do. `reason` is why the shipped binary did not load, when one was
 * found but refused (e.g. a glibc too old for it).
 */
function missingAddonMessage(packageDir, reason) {
  const shipped = shippedPrebuilds(packageDir);
  const head = reason
    ? `the prebuilt @ctr/ns-native does not load on ${currentTarget()} (${reason})`
    : `no prebuilt @ctr/ns-native for ${currentTarget()} (it ships ${shipped.join(', ') || 'none'})`;
  const missing = missingBuildTools();
  if (missing.length > 0) {
    return `${head} and no compiler to build it: install ${missing.join(', ')} (Debian/Ubuntu: apt-get install build-essential python3), then run \`npm rebuild @ctr/ns-native\``;
  }
  return `${head} and no source build: run \`npm rebuild @ctr/ns-native\` (pnpm runs dependency builds only once allowed: \`pnpm approve-builds\`)`;
}

module.exports = { missingAddonMessage, missingBuildTools, currentTarget };
