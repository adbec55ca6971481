// tsup.base.ts — the one build shape of the workspace's library packages: a bundle of the entry with its
// declarations, for Node 20. ESM always; the packages published for plain Node projects (cgroups, netns)
// add CommonJS (`index.cjs` + `index.d.cts`, picked by their package.json's `require` condition). Each
// package's tsup.config.ts names only its entry and formats. The packages with a bin (cli, oci) start it
// through scripts/bundle-loader.mjs and end their build with codeCacheStep.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Format, type Options } from 'tsup';

export function libraryConfig(entry: string, format: Format[] = ['esm']): ReturnType<typeof defineConfig> {
  return defineConfig({ entry: [entry], format, dts: true, clean: true, target: 'node20' });
}

/**
 * The onSuccess of a bin built for scripts/bundle-loader.mjs: scripts/code-cache.mjs writes `bundle`'s V8
 * code cache after running its main on each of `warmUps` (command lines that create nothing).
 */
export function codeCacheStep(bundle: string, warmUps: string[][]): () => Promise<void> {
  const script = fileURLToPath(new URL('./scripts/code-cache.mjs', import.meta.url));
  return async () => {
    execFileSync(process.execPath, [script, bundle, ...warmUps.map((argv) => JSON.stringify(argv))], { stdio: 'inherit' });
  };
}
