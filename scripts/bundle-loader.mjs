// bundle-loader.mjs — how the `ctr` and `ctrun` bins start: their CLI is one CommonJS bundle, compiled here
// with the V8 code cache the build wrote beside it (code-cache.mjs). Measured on Node 20: resolving and linking
// an ESM build's chunks, the ESM facade of node:fs (its lazy fs.ReadStream getter loads all of node:stream) and
// compiling a few hundred KB of source were most of a bin's own start cost. A missing or rejected cache
// (another Node, other V8 flags) only costs that compile: V8 checks it against the source and its own version.
// A bundle must not import() anything outside itself: Node 20 loses the dynamic-import callback of a script
// compiled from a cache ("A dynamic import callback was not specified"), so it requires ES modules instead.
// Bundled into each bin by tsup; plain JS so the build step code-cache.mjs runs it as it is.
// See: node:vm Script `cachedData`, node:module `wrap`.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/** The cache file beside `bundlePath`. */
export const cacheOf = (bundlePath) => `${bundlePath}.cache`;

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

function readCache(bundlePath) {
  try {
    return readFileSync(cacheOf(bundlePath));
  } catch {
    return undefined;
  }
}

/** Runs the bundle's `main` on this process's arguments; its result is the exit status. */
export function runBundle(bundlePath, name, failureStatus) {
  loadBundle(bundlePath, readCache(bundlePath))
    .main(process.argv.slice(2))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err) => {
        process.stderr.write(`${name}: ${String(err)}\n`);
        process.exitCode = failureStatus;
      },
    );
}
