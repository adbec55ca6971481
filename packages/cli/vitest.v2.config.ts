import { defineConfig } from 'vitest/config';

// Only the cgroup v2 end-to-end proofs (test/v2), run inside the v2 qemu guest by scripts/test-cgroup-v2.sh,
// where everything is 10–25× slower than on the host.
export default defineConfig({
  test: { fileParallelism: false, include: ['test/v2/**/*.test.ts'], testTimeout: 240_000, hookTimeout: 120_000 },
});
