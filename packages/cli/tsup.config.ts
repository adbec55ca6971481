import { defineConfig } from 'tsup';

// cli.ts is the bin; index.ts the library. Workspace packages stay external (the addon must load at run time).
export default defineConfig({
  entry: ['src/cli.ts', 'src/index.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  target: 'node20',
  splitting: true,
});
