// test.mjs — `pnpm test`: every package's tests through turbo, one package at a time, and all of them even
// after one failed (--continue), so a red run reports every failure instead of the first package's. Each
// vitest run also gets failures-reporter.mjs, which writes what failed into .test-failures/; when the run
// fails, the last lines printed name each failed test with the first line of its error. Why last: CI keeps the
// head and the tail of a long log, and a failure named only in the middle of 20 minutes of output is lost there.
// Extra arguments go to turbo (e.g. `node scripts/test.mjs --filter=@ctr/netns`).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAILURES_DIR } from './failures-reporter.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const SHOWN = 12; // failures listed; the count says how many more there were

// What an earlier run recorded must not be reported for a package that did not run this time.
rmSync(FAILURES_DIR, { recursive: true, force: true });

const reporter = path.join(here, 'failures-reporter.mjs');
const turbo = spawnSync(
  path.join(root, 'node_modules/.bin/turbo'),
  ['run', 'test', '--concurrency=1', '--continue', ...process.argv.slice(2), '--', '--reporter=default', `--reporter=${reporter}`],
  { cwd: root, stdio: 'inherit' },
);
if (turbo.error) {
  console.error(`test: cannot run turbo (${turbo.error.message}): run pnpm install first`);
  process.exit(1);
}
const status = turbo.status ?? 1;

if (status !== 0) {
  let files = [];
  try {
    files = readdirSync(FAILURES_DIR).sort();
  } catch {
    // no run recorded a failure: a build failed, or a package never got to its tests (turbo's Failed line says)
  }
  const failures = files.flatMap((file) => readFileSync(path.join(FAILURES_DIR, file), 'utf8').split('\n').filter(Boolean));
  console.error(`\ntest: FAILED (turbo exit ${status}); ${failures.length} failure(s) recorded by the test runs:`);
  for (const line of failures.slice(0, SHOWN)) console.error(`  ${line}`);
  if (failures.length > SHOWN) console.error(`  … and ${failures.length - SHOWN} more (${path.relative(root, FAILURES_DIR)}/)`);
}
process.exit(status);
