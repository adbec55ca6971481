// volumes.test.ts — `-v/--volume`, `--mount`, `--tmpfs` and `--ulimit` through the real `ctr run`/`ctr create`,
// as a code runner would use them: a host directory handed in read-only (writes refused with EROFS) and
// another read-write, a sized tmpfs, a lowered limit; a symlinked mount point in the rootfs refused with
// nothing mounted on the host; `ctr ps --json` showing them; bad values one line, exit 125, nothing made.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctr, defaultRootfs, expectNothingLeaked, hostSnapshot, type PsEntry } from '../helpers.js';

const hardNofile = Number(readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+\S+\s+(\d+)/m)![1]);
const hasSysResource = ((BigInt(`0x${/^CapEff:\s*(\w+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`) >> 24n) & 1n) === 1n;

describe.skipIf(skipUnless('ctr volumes end to end', { root: isRoot }))('ctr run: volumes, tmpfs and ulimits', () => {
  expectNothingLeaked();
  let src: string; // what the "submission" brings: read-only inside
  let out: string; // where its results go: read-write
  beforeAll(() => {
    src = mkdtempSync(path.join(tmpdir(), 'ctr-e2e-src-'));
    out = mkdtempSync(path.join(tmpdir(), 'ctr-e2e-out-'));
    writeFileSync(path.join(src, 'main.sh'), 'echo "answer $((6 * 7))"\n');
  });
  afterAll(() => {
    rmSync(src, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('-v ro hands code in (writes refused), -v rw takes results out, --tmpfs is sized, --ulimit lowers', async () => {
    const script = 'sh /src/main.sh > /out/result; touch /src/new; echo "src=$?"; ' +
      'df -k /scratch | tail -1; ulimit -Sn; ulimit -Hn';
    const r = await ctr(['run', '--net', 'none', '-v', `${src}:/src:ro`, '--volume', `${out}:/out`, '--tmpfs', '/scratch:size=4m',
      '--ulimit', 'nofile=256:512', defaultRootfs, 'sh', '-c', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/touch: cannot touch '\/src\/new': Read-only file system/);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('src=1');
    expect(lines[1]!.split(/\s+/)[1]).toBe('4096'); // 1K-blocks of the tmpfs
    expect(lines.slice(2)).toEqual(['256', '512']);
    expect(readFileSync(path.join(out, 'result'), 'utf8')).toBe('answer 42\n');
    expect(readdirSync(src)).toEqual(['main.sh']);
    rmSync(path.join(out, 'result'));
  });

  it('--mount type=bind,readonly and type=tmpfs with tmpfs-size/tmpfs-mode (docker field names)', async () => {
    const r = await ctr(['run', '--net', 'none',
      '--mount', `type=bind,src=${src},dst=/code,readonly`, '--mount', 'type=tmpfs,destination=/work,tmpfs-size=2m,tmpfs-mode=1770',
      defaultRootfs, 'sh', '-c', 'cat /code/main.sh; touch /code/x 2>/dev/null || echo refused; stat -c %a /work; df -k /work | tail -1']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['echo "answer $((6 * 7))"', 'refused', '1770']);
    expect(lines[3]!.split(/\s+/)[1]).toBe('2048');
  });

  it('a mount point that is a symlink out of the rootfs is refused, and nothing lands on the host', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'ctr-e2e-outside-'));
    const link = path.join(defaultRootfs, 'ctr-e2e-escape');
    symlinkSync(outside, link);
    try {
      const before = hostSnapshot();
      const r = await ctr(['run', '--net', 'none', '-v', `${src}:/ctr-e2e-escape/x`, defaultRootfs, 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/^ctr: container setup failed at openat2: Too many levels of symbolic links '.*ctr-e2e-escape\/x'\n$/);
      expect(hostSnapshot()).toEqual(before);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(link);
      rmSync(outside, { recursive: true });
    }
  });

  it('ctr create records them: ps --json shows mounts and ulimits, and start runs with them', async () => {
    const name = `vol-create-${process.pid}`;
    const created = await ctr(['create', '--name', name, '--net', 'none', '-v', `${src}:/src:ro`, '--tmpfs', '/t',
      '--ulimit', 'core=0', defaultRootfs, 'sh', '-c', 'cat /src/main.sh > /dev/null && ulimit -c']);
    expect(created.code, created.stderr).toBe(0);
    try {
      const ps = JSON.parse((await ctr(['ps', '-a', '--json'])).stdout) as (PsEntry & { mounts?: string[]; ulimits?: string[] })[];
      const entry = ps.find((e) => e.name === name)!;
      expect(entry.mounts).toEqual([`${src}:/src:ro`, 'tmpfs:/t']);
      expect(entry.ulimits).toEqual(['core=0']);
      const [inspected] = JSON.parse((await ctr(['inspect', name])).stdout) as { config: { mounts: string[]; ulimits: string[] } }[];
      expect(inspected!.config).toMatchObject({ mounts: entry.mounts, ulimits: ['core=0'] });
      expect((await ctr(['start', name])).code).toBe(0);
      const waited = await ctr(['wait', name]);
      expect(waited.stdout.trim()).toBe('0');
      expect((await ctr(['logs', name])).stdout).toBe('0\n');
    } finally {
      await ctr(['rm', '-f', name]);
    }
  });

  it('with --userns a volume is idmapped: root-owned host files are root-owned inside, and writes land as host root', async () => {
    const r = await ctr(['run', '--net', 'none', '--userns', '100000:65536', '-v', `${out}:/out`, defaultRootfs, 'sh', '-c',
      'stat -c %u /out; echo x > /out/made; stat -c %u /out/made; cat /proc/self/uid_map']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['0', '0']);
    expect(lines[2]!.trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    expect(statSync(path.join(out, 'made')).uid).toBe(0);
    rmSync(path.join(out, 'made'));
  });

  it.each([
    [['-v', 'relative:/x'], /^ctr: invalid --volume "relative:\/x": "relative" is not an absolute host path \(named volumes are not supported\)\n$/],
    [['-v', '/nonexistent-ctr:/x'], /^ctr: invalid --volume "\/nonexistent-ctr:\/x": host path "\/nonexistent-ctr" does not exist \(ENOENT\)\n$/],
    [['-v', '/tmp:x'], /the container path "x" must be absolute/],
    [['-v', '/tmp:/a/../etc'], /the container path "\/a\/\.\.\/etc" must not contain "\.\."/],
    [['-v', '/tmp:/x:rx'], /mode "rx" must be ro or rw/],
    [['-v', '/tmp:/x', '--tmpfs', '/x'], /duplicate mount point "\/x"/],
    [['--tmpfs', '/t:size=huge'], /^ctr: invalid --tmpfs "\/t:size=huge": size "huge" is not a size such as 64m or 1g\n$/],
    [['--tmpfs', '/t:weird'], /^ctr: invalid --tmpfs "\/t:weird": 'weird' is not a known mount option/],
    [['--mount', 'type=volume,target=/x'], /type must be bind or tmpfs \(got "volume"\)/],
    [['--mount', 'type=tmpfs,target=/x,size=1m'], /unknown field "size"/],
    [['--mount', 'type=bind,target=/x'], /the host path is missing/],
    [['--ulimit', 'nofiles=10'], /^ctr: invalid --ulimit "nofiles=10": use NAME=SOFT\[:HARD\] with NAME one of cpu, /],
    [['--ulimit', 'nofile=20:10'], /the soft limit 20 is above the hard limit 10/],
  ])('refuses %j with one line and exit 125', async (flags, message) => {
    const r = await ctr(['run', '--net', 'none', ...flags, defaultRootfs, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.runIf(!hasSysResource)('refuses to raise a hard limit without CAP_SYS_RESOURCE, naming the current one', async () => {
    const r = await ctr(['run', '--net', 'none', '--ulimit', `nofile=1024:${hardNofile + 1}`, defaultRootfs, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`ctr: invalid --ulimit "nofile=1024:${hardNofile + 1}": raises the hard limit of RLIMIT_NOFILE from ${hardNofile} ` +
      `to ${hardNofile + 1}, which needs CAP_SYS_RESOURCE in the host's user namespace (this process lacks it); ask for at most ${hardNofile}\n`);
  });
});
