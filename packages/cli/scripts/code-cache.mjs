// code-cache.mjs — the build's last step: writes dist/ctr-bundle.cjs.cache, the V8 code cache that dist/ctr.cjs
// (src/bin.ts) compiles the CLI bundle with. A cache holds what V8 had compiled when it was taken, so the
// bundle first runs what every `ctr run` runs before its first syscall: the top level of every module the
// run verb loads, and the parsing of the command line (the help paths, which create nothing).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { loadBundle, cachePath } = createRequire(import.meta.url)('../dist/ctr.cjs');
const { main, script } = loadBundle();
const write = process.stdout.write;
process.stdout.write = () => true;
try {
  for (const argv of [['--help'], ['run', '--help'], ['ps', '--help'], ['exec', '--help'], ['rm', '--help']]) await main(argv);
} finally {
  process.stdout.write = write;
}
writeFileSync(cachePath, script.createCachedData());
