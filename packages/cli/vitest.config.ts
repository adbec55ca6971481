import { configDefaults, defineConfig } from 'vitest/config';

// test/v2 needs a cgroup v2 kernel: it runs in a qemu guest through vitest.v2.config.ts (`pnpm test:v2` at the
// root), never in the default run on this cgroup v1 host. The global setup removes the bridge and parent
// groups the suites made ctr create.
export default defineConfig({
  test: {
    fileParallelism: false,
    testTimeout: 30_000,
    exclude: [...configDefaults.exclude, 'test/v2/**'],
    globalSetup: ['test/global-setup.ts'],
  },
});
