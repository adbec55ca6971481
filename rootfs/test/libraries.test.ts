// libraries.test.ts — resolveSharedObjects against ldd(1) as the oracle (the builder itself never runs
// ldd), plus ld.so.conf parsing with include globs; no root needed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLdSoConf, resolveSharedObjects } from '../src/libraries.js';

/** Real paths of everything ldd says PROGRAM loads (libraries and the loader; not the vDSO). */
function lddView(program: string): string[] {
  const out = execFileSync('ldd', [program], { encoding: 'utf8' });
  return [...out.matchAll(/(?:=> )?(\/\S+) \(0x/g)].map((match) => realpathSync(match[1]!));
}

describe('resolveSharedObjects', () => {
  it.each(['/usr/bin/bash', '/usr/bin/ps', '/usr/bin/top', '/usr/sbin/ip'])('loads the same files as ldd for %s', async (program) => {
    const placed = await resolveSharedObjects([program]);
    expect(new Set(placed.map((entry) => realpathSync(entry.hostPath)))).toEqual(new Set(lddView(program)));
    // Everything this host loads sits in the loader's system directories, so nothing is relocated.
    for (const entry of placed) expect(entry.treePath).toBe(entry.hostPath);
  });

  it('follows DT_RUNPATH with $ORIGIN to a library outside every system directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctr-elf-'));
    try {
      mkdirSync(join(dir, 'lib'));
      execFileSync('sh', ['-c', `printf 'int probe(void){return 7;}' | gcc -shared -fPIC -x c - -o ${dir}/lib/libprobe.so`]);
      execFileSync('sh', [
        '-c',
        `printf 'int probe(void); int main(void){return probe();}' | gcc -x c - -o ${dir}/main -L${dir}/lib -lprobe -Wl,-rpath,'$ORIGIN/lib'`,
      ]);
      const placed = await resolveSharedObjects([`${dir}/main`]);
      expect(placed).toContainEqual({ hostPath: `${dir}/lib/libprobe.so`, treePath: `${dir}/lib/libprobe.so` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readLdSoConf', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads directories in order, follows include globs, skips comments and loops', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ctr-ldconf-'));
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'ld.so.conf'), `# top\n/first\ninclude conf.d/*.conf\n/last # trailing\n`);
    writeFileSync(join(dir, 'conf.d', 'b.conf'), '/from-b\n');
    writeFileSync(join(dir, 'conf.d', 'a.conf'), `/from-a\ninclude ${join(dir, 'ld.so.conf')}\n`);
    writeFileSync(join(dir, 'conf.d', 'ignored.txt'), '/never\n');
    expect(await readLdSoConf(join(dir, 'ld.so.conf'))).toEqual(['/first', '/from-a', '/from-b', '/last']);
  });
});
