import { defineConfig, type Options } from 'tsup';
import { codeCacheStep } from '../../tsup.base';

// The workspace packages ctrun uses are bundled in; the addon itself still loads at run time from
// @ctr/ns-native's build/ (found by package name).
const shared: Options = { noExternal: ['@ctr/cgroups', '@ctr/netns', '@ctr/ns-native'], target: 'node20' };

export default defineConfig([
  // the library (index.ts: config model, state, hooks): ESM with declarations
  { entry: ['src/index.ts'], format: ['esm'], dts: true, target: 'node20' },
  // the `ctrun` bin, dist/cli.js: a small loader (src/bin.ts) of one CommonJS bundle of cli.ts, compiled
  // through the V8 code cache written after running what `create` runs before its first syscall (the top
  // level of every module, the argument parsing) — see scripts/bundle-loader.mjs for the measured why
  { ...shared, entry: { cli: 'src/bin.ts' }, format: ['esm'], splitting: false },
  {
    ...shared,
    entry: { 'ctrun-bundle': 'src/cli.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    splitting: false,
    shims: true,
    onSuccess: codeCacheStep('dist/ctrun-bundle.cjs', [['--version'], ['--help'], ['create'], ['exec'], ['delete'], ['start'], ['state'], ['kill']]),
  },
]);
