// code-cache.mjs — the last build step of a bin made by bundle-loader.mjs (ctr, ctrun):
//   node scripts/code-cache.mjs BUNDLE.cjs '[ARGV…]' …
// writes BUNDLE.cjs.cache, the V8 code cache the bin compiles the bundle with. A cache holds what V8 had
// compiled when it was taken, so the bundle first runs `main` on each ARGV given: command lines that create
// nothing (help, version, a parse error) but run the top level of every module and the argument parsing.
// Their output goes nowhere: this re-runs itself with stdout and stderr on /dev/null. The run cache of the
// previous bundle is deleted (bundle-loader.mjs says why).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheOf, loadBundle, removeRunCaches } from './bundle-loader.mjs';

const [bundle, ...argvs] = process.argv.slice(2);
if (!bundle) throw new Error('usage: code-cache.mjs BUNDLE.cjs [ARGV-JSON…]');
const bundlePath = path.resolve(bundle);

if (process.env.CODE_CACHE_QUIET !== '1') {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, CODE_CACHE_QUIET: '1' },
  });
  if (r.status !== 0) throw new Error(`code-cache.mjs ${bundle}: the warm-up run failed (status ${r.status}, signal ${r.signal})`);
} else {
  const { main, script } = loadBundle(bundlePath);
  for (const argv of argvs) await main(JSON.parse(argv));
  writeFileSync(cacheOf(bundlePath), script.createCachedData());
  // the run caches of the bundles this build replaced (bundle-loader.mjs)
  removeRunCaches(bundlePath);
}
