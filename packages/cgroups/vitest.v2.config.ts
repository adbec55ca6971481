import { defineConfig } from 'vitest/config';

// Only the cgroup v2 integration tests, run inside the v2 qemu guest (10–25× slower than the host).
export default defineConfig({
  test: { fileParallelism: false, include: ['test/integration/v2/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 60_000 },
});
