#!/usr/bin/env node
// bin.ts — the `ctr` executable (dist/ctr.cjs). It runs the CLI from one CommonJS bundle (dist/ctr-bundle.cjs,
// built from cli.ts) compiled with the V8 code cache that the build wrote beside it (scripts/code-cache.mjs).
// Measured on Node 20: the ESM build's resolving and linking of a dozen chunks, the ESM facade of node:fs
// (it reads the lazy fs.ReadStream getter, which loads all of node:stream) and the compile of ~300 KB of
// source were most of ctr's own start cost. A missing or rejected cache (another Node or V8 flags) only
// costs that compile; V8 checks the cache against the source and its own version before using any of it.
// The bundle must not import() anything outside itself: Node 20 loses the dynamic-import callback of a script
// compiled from a cache ("A dynamic import callback was not specified"), so it requires ES modules instead.
// See: node:vm Script `cachedData`, node:module `wrap`.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

export const bundlePath = path.join(__dirname, 'ctr-bundle.cjs');
export const cachePath = `${bundlePath}.cache`;

type Main = (argv: string[]) => Promise<number>;

/** Compiles the bundle (with `cachedData` when given) and evaluates it; returns its `main` and its script. */
export function loadBundle(cachedData?: Buffer): { main: Main; script: Script } {
  const script = new Script(Module.wrap(readFileSync(bundlePath, 'utf8')), {
    filename: bundlePath,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as { main?: Main } };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports, createRequire(bundlePath), module, bundlePath, path.dirname(bundlePath),
  );
  return { main: module.exports.main!, script };
}

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cachePath);
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  loadBundle(readCache())
    .main(process.argv.slice(2))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        process.stderr.write(`ctr: ${String(err)}\n`);
        process.exitCode = 125;
      },
    );
}
