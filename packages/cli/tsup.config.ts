import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';
import { codeCacheStep } from '../../tsup.base';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The runtime's workspace packages are bundled in; the addon itself still loads at run time from
// @ctr/ns-native's build/ (found by package name); @ctr/rootfs stays external, as only `ctr rootfs` loads it.
// The version is written in at build time, so `ctr --version` reads no file.
const shared: Options = {
  noExternal: ['@ctr/cgroups', '@ctr/netns', '@ctr/ns-native'],
  define: { CTR_VERSION: JSON.stringify(version) },
  target: 'node20',
};

export default defineConfig([
  // the library (index.ts): ESM with declarations
  { ...shared, entry: ['src/index.ts'], format: ['esm'], dts: true, splitting: true },
  // the bin: one CommonJS bundle of cli.ts (no ESM resolving and linking per chunk at start), loaded by bin.ts
  // through the V8 code cache the workspace's scripts/code-cache.mjs writes after running what every
  // `ctr run` runs before its first syscall (see scripts/bundle-loader.mjs for the measured why)
  {
    ...shared,
    entry: { ctr: 'src/bin.ts', 'ctr-bundle': 'src/cli.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    splitting: false,
    shims: true,
    onSuccess: codeCacheStep('dist/ctr-bundle.cjs', [['--help'], ['run', '--help'], ['ps', '--help'], ['exec', '--help'], ['rm', '--help']]),
  },
]);
