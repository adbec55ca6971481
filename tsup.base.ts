// tsup.base.ts — the one build shape of the workspace's library packages: a bundle of the entry with its
// declarations, for Node 20. ESM always; the packages published for plain Node projects (cgroups, netns)
// add CommonJS (`index.cjs` + `index.d.cts`, picked by their package.json's `require` condition). Each
// package's tsup.config.ts names only its entry and formats. The packages with a bin (cli, oci) share
// binAndLibraryConfig.
import { defineConfig, type Format, type Options } from 'tsup';

export function libraryConfig(entry: string, format: Format[] = ['esm']): ReturnType<typeof defineConfig> {
  return defineConfig({ entry: [entry], format, dts: true, clean: true, target: 'node20' });
}

/**
 * A package whose bin (src/cli.ts) sits beside its library (src/index.ts): one ESM build, split so the two
 * share their chunks, declarations for the library only. `extra` adds package-specific options.
 */
export function binAndLibraryConfig(extra: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ['src/cli.ts', 'src/index.ts'],
    format: ['esm'],
    dts: { entry: 'src/index.ts' },
    clean: true,
    target: 'node20',
    splitting: true,
    ...extra,
  });
}
