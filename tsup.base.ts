// tsup.base.ts — the one build shape of the workspace's library packages: a bundle of the entry with its
// declarations, for Node 20. ESM always; the packages published for plain Node projects (cgroups, netns)
// add CommonJS (`index.cjs` + `index.d.cts`, picked by their package.json's `require` condition). Each
// package's tsup.config.ts names only its entry and formats.
import { defineConfig, type Format } from 'tsup';

export function libraryConfig(entry: string, format: Format[] = ['esm']): ReturnType<typeof defineConfig> {
  return defineConfig({ entry: [entry], format, dts: true, clean: true, target: 'node20' });
}
