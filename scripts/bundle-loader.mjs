// bundle-loader.mjs — how the `ctr` and `ctrun` bins start: their CLI is one CommonJS bundle, compiled here
// with the V8 code cache the build wrote beside it (code-cache.mjs). Measured on Node 20: resolving and linking
// an ESM build's chunks, the ESM facade of node:fs (its lazy fs.ReadStream getter loads all of node:stream) and
// compiling a few hundred KB of source were most of a bin's own start cost. A missing or rejected cache
// (another Node, other V8 flags) only costs that compile: V8 checks it against the source and its own version.
// A bundle must not import() anything outside itself: Node 20 loses the dynamic-import callback of a script
// compiled from a cache ("A dynamic import callback was not specified"), so it requires ES modules instead.
// The build's cache holds only what its warm-ups compiled (nothing may create containers at build time), so
// the first successful run of a heavy command writes a second cache beside it, taken once that command's code
// is compiled: measured ~4.5 ms less of every later `ctr run` (the run path compiled lazily cost that much).
// The bin names the variants worth a cache of their own (`variantOf`: `ctr run --net none` compiles no network
// code, so its cache would leave the bridge path cold). Written atomically, once per variant; a read-only
// install just keeps the build's cache. V8 checks a cache against the source's length and its own version and
// flags, not the source's bytes: so a run cache is named after the bundle file it was taken from (inode, size,
// mtime: one stat, no hashing), a rebuilt or restored bundle never meets an old one, and the build step deletes
// them all (code-cache.mjs). One V8 rejects (another Node) is rewritten.
// Bundled into each bin by tsup; plain JS so the build step code-cache.mjs runs it as it is.
// See: node:vm Script `cachedData`, node:module `wrap`.
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/** The build's cache file beside `bundlePath`. */
export const cacheOf = (bundlePath) => `${bundlePath}.cache`;

/** The bundle file's identity: a run cache taken from another file is never read. */
const bundleId = (stat) => `${stat.ino}-${stat.size}-${Math.trunc(stat.mtimeMs)}`;

/** The cache the first successful run of `variant` writes beside the bundle file with identity `id`. */
const runCacheOf = (bundlePath, variant, id) => `${bundlePath}.${variant}.${id}.run.cache`;

/** Whether `file` (a name in the bundle's directory) is a run cache of `bundlePath`, of any variant and bundle file. */
const isRunCacheOf = (bundlePath, file) => file.startsWith(`${path.basename(bundlePath)}.`) && file.endsWith('.run.cache');

/** Deletes the run caches of `bundlePath` but those of the bundle file with identity `keepId`. */
export function removeRunCaches(bundlePath, keepId) {
  const dir = path.dirname(bundlePath);
  for (const file of readdirSync(dir)) {
    if (isRunCacheOf(bundlePath, file) && !(keepId && file.endsWith(`.${keepId}.run.cache`))) unlinkSync(path.join(dir, file));
  }
}

/** Compiles the bundle (with `cachedData` when given) and evaluates it; returns its `main` and its script. */
export function loadBundle(bundlePath, cachedData) {
  const script = new Script(Module.wrap(readFileSync(bundlePath, 'utf8')), {
    filename: bundlePath,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundlePath), module, bundlePath, path.dirname(bundlePath));
  return { main: module.exports.main, script };
}

function readCache(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Best effort: a read-only or foreign-owned install keeps the build's cache. */
function writeRunCache(bundlePath, file, id, script) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, file);
    removeRunCaches(bundlePath, id);
  } catch {
    // not ours to write; a half-written copy does not stay
    try {
      unlinkSync(tmp);
    } catch {
      // never made
    }
  }
}

/**
 * Runs the bundle's `main` on this process's arguments; its result is the exit status. `variantOf(argv)`: the
 * name of the run cache this command line uses and, on its first success, writes (see above); undefined: the
 * build's cache only.
 */
export function runBundle(bundlePath, name, failureStatus, variantOf = () => undefined) {
  const argv = process.argv.slice(2);
  const variant = variantOf(argv);
  const id = variant && bundleId(statSync(bundlePath));
  const runCacheFile = variant && runCacheOf(bundlePath, variant, id);
  const runCache = runCacheFile && readCache(runCacheFile);
  const { main, script } = loadBundle(bundlePath, runCache ?? readCache(cacheOf(bundlePath)));
  const refresh = variant !== undefined && (!runCache || script.cachedDataRejected);
  main(argv).then(
    (code) => {
      process.exitCode = code;
      if (refresh && code === 0) writeRunCache(bundlePath, runCacheFile, id, script);
    },
    (err) => {
      process.stderr.write(`${name}: ${String(err)}\n`);
      process.exitCode = failureStatus;
    },
  );
}
