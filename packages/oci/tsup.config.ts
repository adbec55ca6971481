import { defineConfig } from 'tsup';

// cli.ts is the `ctrun` bin, index.ts the library (config model, state, hooks) a runtime library can use.
export default defineConfig({
  entry: ['src/cli.ts', 'src/index.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  target: 'node20',
  splitting: true,
});
