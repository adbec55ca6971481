// tsup.base.ts — the one build shape of the workspace's library packages: an ESM bundle of the entry with its
// declarations, for Node 20. Each package's tsup.config.ts names only its entry.
import { defineConfig } from 'tsup';

export function libraryConfig(entry: string): ReturnType<typeof defineConfig> {
  return defineConfig({ entry: [entry], format: ['esm'], dts: true, clean: true, target: 'node20' });
}
