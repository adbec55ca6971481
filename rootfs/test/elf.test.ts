// elf.test.ts — readElf against readelf(1) as the oracle, on host binaries and libraries; no root needed.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readElf } from '../src/elf.js';

/** What readelf reports for PT_INTERP and the dynamic section's strings. */
function readelfView(path: string) {
  const program = execFileSync('readelf', ['-lW', path], { encoding: 'utf8' });
  const dynamic = execFileSync('readelf', ['-dW', path], { encoding: 'utf8' });
  const entries = (tag: string) =>
    [...dynamic.matchAll(new RegExp(`\\(${tag}\\)\\s+\\S+.*?\\[(.*)\\]`, 'g'))].map((match) => match[1]!);
  return {
    interpreter: program.match(/Requesting program interpreter: (.*)\]/)?.[1],
    needed: entries('NEEDED'),
    rpath: entries('RPATH').flatMap((value) => value.split(':')),
    runpath: entries('RUNPATH').flatMap((value) => value.split(':')),
    soname: entries('SONAME')[0],
  };
}

describe('readElf', () => {
  it.each(['/usr/bin/bash', '/usr/bin/ps', '/usr/sbin/ip', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'])(
    'agrees with readelf on %s',
    async (path) => {
      const info = await readElf(path);
      expect(info).not.toBeNull();
      expect(info).toMatchObject(readelfView(path));
      expect(info!.bits).toBe(64);
    },
  );

  it('finds a DT_RUNPATH where one is set', async () => {
    // Linking a probe with -rpath makes the case concrete instead of hoping the host has one.
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    try {
      execFileSync('sh', ['-c', `printf 'int main(void){return 0;}' | gcc -x c - -o ${dir}/probe -Wl,-rpath,'$ORIGIN/../lib:/opt/x'`]);
      const info = await readElf(`${dir}/probe`);
      expect(info?.runpath).toEqual(['$ORIGIN/../lib', '/opt/x']);
      expect(info).toMatchObject(readelfView(`${dir}/probe`));
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  });

  it('returns null for a script and EBADELF for a truncated ELF', async () => {
    expect(await readElf('/usr/bin/ldd')).toBeNull();
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    try {
      execFileSync('sh', ['-c', `head -c 100 /usr/bin/bash > ${dir}/cut`]);
      await expect(readElf(`${dir}/cut`)).rejects.toMatchObject({ code: 'EBADELF', path: `${dir}/cut` });
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  });
});
