// transpile.ts — gives child processes plain-JS copies of some src/ modules. Node 20 cannot run .ts and the
// tests must exercise the current source, not a possibly stale dist/, so the files are type-stripped with
// the workspace's TypeScript into a temp dir. Modules that import @ctr/ns-native need a dir below this
// package (its node_modules resolves the workspace link), hence `parent`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

/** Writes `<name>.js` for each `src/<name>.ts` into a new temp dir under `parent`; caller removes the dir. */
export function transpileSources(names: string[], parent = tmpdir()): string {
  const dir = mkdtempSync(path.join(parent, '.ctr-netns-js-'));
  for (const name of names) {
    const source = readFileSync(new URL(`../../src/${name}.ts`, import.meta.url), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(path.join(dir, `${name}.js`), outputText);
  }
  return dir;
}
