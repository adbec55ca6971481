// sandbox.test.ts — run() and spawn() from Node as a code runner uses them: stdin from a string, output captured
// and capped, a wall-clock limit and an AbortSignal that SIGKILL the whole container, the usage report read
// from the container's cgroup, a thousand concurrent runs in one process without a warning; and the same from
// the CLI (`ctr run --timeout`, `--report`, `--stop-timeout`). Every test proves
// the host is left as it was (mounts, state files, cgroups, layers, veths) and no fd of this process leaked.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { run, spawn, type SandboxResult } from '../../src/index.js';
import { cliPath, ctr, defaultRootfs, expectNothingLeaked, host } from '../helpers.js';

const MiB = 2 ** 20;
const rootfs = defaultRootfs;
/** What a judge gives a submission: 2 s, 64 MiB, 32 processes, no network. */
const judge = { rootfs, timeoutMs: 2000, memory: '64m', pidsLimit: 32, net: 'none' } as const;
// The first run opens what every later one shares (the sealed ctr-init and ctr-shim images, this process's
// pidfd): fds are compared between runs after it.
const openFds = (): number => readdirSync('/proc/self/fd').length;

type Submission = 'sum' | 'loop' | 'bomb' | 'hog' | 'flood' | 'rowrite';

/** What a judge must conclude about submission `i` of `kind` (see the code-runner test). */
function expectVerdict(kind: Submission, i: number, r: SandboxResult): void {
  const what = `${kind} #${i}: ${JSON.stringify({ ...r, stdout: r.stdout?.slice(0, 80) })}`;
  const timedOut = kind === 'loop' || kind === 'bomb';
  expect(r.timedOut, what).toBe(timedOut);
  expect(r.oomKilled, what).toBe(kind === 'hog');
  expect(r.outputTruncated, what).toBe(kind === 'flood');
  expect(r.usage.memoryPeakBytes, what).toBeLessThanOrEqual(64 * MiB);
  if (timedOut) expect(r.usage.wallMs, what).toBeGreaterThanOrEqual(2000);
  else expect(r.usage.wallMs, what).toBeLessThan(2000);
  if (kind === 'sum') expect(r, what).toMatchObject({ exitCode: 0, signal: null, stdout: `${i + 6}\n`, stderr: '', usage: { pidsPeak: 1 } });
  if (kind === 'loop') expect(r.usage.cpuUserMs, what).toBeGreaterThan(0);
  if (kind === 'bomb') expect(r.usage.pidsPeak, what).toBe(32);
  if (kind === 'hog') expect(r.usage.memoryPeakBytes, what).toBeGreaterThan(60 * MiB);
  if (kind === 'flood') expect(r.stdout, what).toHaveLength(65_536);
  if (kind === 'rowrite') expect(r, what).toMatchObject({ exitCode: 1, stdout: 'EROFS\n' });
  if (kind !== 'sum' && kind !== 'rowrite') expect(r.signal, what).toBe('SIGKILL');
}

describe.skipIf(skipUnless('run()/spawn() sandbox programs end to end', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('sandbox: run() and spawn()', () => {
  expectNothingLeaked();

  it('feeds stdin from a string, captures stdout and stderr apart, reports exit and usage', async () => {
    const r = await run({ ...judge, command: ['sh', '-c', 'read a b; echo $((a + b)); echo note >&2; exit 3'], stdin: '40 2\n' });
    expect(r).toMatchObject({ exitCode: 3, signal: null, timedOut: false, oomKilled: false, outputTruncated: false, stdout: '42\n', stderr: 'note\n' });
    expect(r.usage.wallMs).toBeGreaterThan(0);
    expect(r.usage.wallMs).toBeLessThan(2000);
    // this kernel (v1 cpuacct, max_usage_in_bytes, pids.peak) has every figure: none may be null
    expect(r.usage.cpuUserMs).toBeGreaterThanOrEqual(0);
    expect(r.usage.cpuSystemMs).toBeGreaterThanOrEqual(0);
    expect(r.usage.memoryPeakBytes).toBeGreaterThan(0);
    expect(r.usage.memoryPeakBytes).toBeLessThanOrEqual(64 * MiB);
    expect(r.usage.pidsPeak).toBe(1);
  });

  it('measures CPU time and the process peak the program really used', async () => {
    // sh, then 4 background sleeps and a busy loop of about 0.3 s of user time
    const r = await run({
      ...judge, timeoutMs: 10_000,
      command: ['sh', '-c', 'p=; for i in 1 2 3 4; do sleep 5 & p="$p $!"; done; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; kill $p; wait'],
    });
    expect(r.exitCode).toBe(0);
    expect(r.usage.pidsPeak).toBe(5);
    expect(r.usage.cpuUserMs).toBeGreaterThan(50);
    expect(r.usage.cpuUserMs! + r.usage.cpuSystemMs!).toBeLessThan(r.usage.wallMs * 2 + 50);
  });

  it('SIGKILLs an infinite loop and everything it forked at the time limit', async () => {
    const r = await run({ ...judge, timeoutMs: 500, command: ['sh', '-c', 'sleep 100 & sleep 100 & while :; do :; done'] });
    expect(r).toMatchObject({ exitCode: 137, signal: 'SIGKILL', timedOut: true, oomKilled: false });
    expect(r.usage.wallMs).toBeGreaterThanOrEqual(500);
    expect(r.usage.wallMs).toBeLessThan(1500);
    expect(r.usage.cpuUserMs).toBeGreaterThan(100);
    expect(r.usage.pidsPeak).toBe(3);
  });

  it('an aborted AbortSignal ends a running container (timedOut); one aborted before creates nothing', async () => {
    const controller = new AbortController();
    const proc = spawn({ rootfs, command: ['sleep', '100'] });
    const running = run({ rootfs, command: ['sleep', '100'], signal: controller.signal });
    await proc.started;
    setTimeout(() => controller.abort(), 200);
    expect(await running).toMatchObject({ exitCode: 137, signal: 'SIGKILL', timedOut: true });
    proc.kill();
    expect(await proc.result).toMatchObject({ signal: 'SIGKILL', timedOut: false });
    const err = await run({ rootfs, command: ['true'], signal: controller.signal }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
  });

  it('one AbortSignal shared by 30 runs adds a single listener and no warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const runs = Array.from({ length: 30 }, () => run({ rootfs, command: ['sleep', '100'], signal: controller.signal }));
      await new Promise((r) => setTimeout(r, 1000));
      controller.abort();
      const results = await Promise.all(runs);
      expect(results.every((r) => r.timedOut && r.signal === 'SIGKILL')).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map(String)).toEqual([]);
  }, 60_000);

  it('holds a fork bomb at 32 processes, and says so in pidsPeak', async () => {
    const r = await run({ ...judge, command: ['fork-bomb', '--max', '1000'] });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, oomKilled: false });
    expect(r.stdout).toBe('forked 31 children\nstopped: fork failed: Resource temporarily unavailable\n');
    expect(r.usage.pidsPeak).toBe(32);
  });

  it('reports an OOM kill with the memory peak at the limit', async () => {
    const r = await run({ ...judge, command: ['mem-hog', '--step', '8m', '--max', '512m'] });
    expect(r).toMatchObject({ oomKilled: true, signal: 'SIGKILL', exitCode: 137, timedOut: false });
    expect(r.usage.memoryPeakBytes).toBeGreaterThan(48 * MiB);
    expect(r.usage.memoryPeakBytes).toBeLessThanOrEqual(64 * MiB);
  });

  it('cuts an output flood at maxOutputBytes and SIGKILLs it, as exec’s maxBuffer does', async () => {
    const r = await run({ ...judge, command: ['yes', 'flood'], maxOutputBytes: 100_000 });
    expect(r).toMatchObject({ outputTruncated: true, signal: 'SIGKILL', timedOut: false });
    expect(r.stdout).toHaveLength(100_000);
    expect(r.stdout!.startsWith('flood\nflood\n')).toBe(true);
    const bytes = await run({ ...judge, command: ['printf', '\\377\\000ab'], encoding: 'buffer' });
    expect(bytes.stdout).toEqual(Buffer.from([0xff, 0, 0x61, 0x62]));
  });

  it('spawn(): streams stdin and stdout both ways, pid once started, kill() ends the container', async () => {
    const proc = spawn({ rootfs, command: ['cat'], stdin: 'pipe' });
    expect(proc.pid).toBeUndefined();
    await proc.started;
    expect(proc.pid).toBeGreaterThan(0);
    expect(readdirSync(`/proc/${proc.pid}/ns`)).toContain('pid');
    const echoed = new Promise<string>((resolve) => proc.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
    proc.stdin!.write('ping\n');
    expect(await echoed).toBe('ping\n');
    expect(proc.kill()).toBe(true);
    const r = await proc.result;
    expect(r).toMatchObject({ signal: 'SIGKILL', exitCode: 137, timedOut: false });
    expect(proc.kill()).toBe(false);
    // a stream as stdin, a file descriptor as stdout
    const piped = await run({ rootfs, command: ['wc', '-c'], stdin: Readable.from([Buffer.alloc(300_000, 1)]) });
    expect(piped.stdout!.trim()).toBe('300000');
  });

  it('a stdin the program never reads, or closes early, is no error of the run', async () => {
    const r = await run({ rootfs, command: ['true'], stdin: 'x'.repeat(4 * MiB) });
    expect(r.exitCode).toBe(0);
  });

  it('refuses bad options before creating anything, and rejects a missing command with 127', async () => {
    expect(() => spawn({ rootfs, command: ['true'], stdout: 'file.txt' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_CTR_INVALID', message: `invalid stdout "file.txt": use 'pipe', 'inherit', 'ignore' or an open fd number` }),
    );
    await expect(run({ rootfs, command: ['true'], timeoutMs: -1 })).rejects.toMatchObject({ code: 'ERR_CTR_INVALID' });
    await expect(run({ rootfs, command: ['true'], maxOutputBytes: 1.5 })).rejects.toMatchObject({ code: 'ERR_CTR_INVALID' });
    await expect(run({ rootfs, command: ['true'], stdin: 'pipe' as never })).rejects.toMatchObject({ code: 'ERR_CTR_INVALID' });
    const fds = openFds();
    await expect(run({ rootfs, command: ['no-such-program'] })).rejects.toMatchObject({ code: 'ERR_CTR_NOT_FOUND', exitCode: 127 });
    expect(openFds()).toBe(fds);
  });

  it('as a code runner: C programs handed in by a read-only bind, 50 at once, each verdict right', async () => {
    // No gcc in rootfs/default: each submission is compiled on the host by musl-gcc into a static program and
    // handed in, with its source, through a read-only bind at /judge.
    const dir = mkdtempSync(path.join(tmpdir(), 'ctr-judge-'));
    try {
      const sources: Record<Submission, string> = {
        sum: 'int main(void) { long s = 0, x; while (scanf("%ld", &x) == 1) s += x; printf("%ld\\n", s); return 0; }',
        loop: 'int main(void) { for (volatile int i = 0;; i++) ; }',
        bomb: 'int main(void) { for (;;) fork(); }',
        hog: 'int main(void) { for (;;) { char *p = malloc(1 << 20); if (!p) return 3; memset(p, 1, 1 << 20); } }',
        flood: 'int main(void) { for (;;) fputs("all work and no play\\n", stdout); }',
        rowrite: 'int main(void) { int fd = open("/judge/out.txt", O_WRONLY | O_CREAT, 0644);\n' +
          '  puts(fd < 0 && errno == EROFS ? "EROFS" : "written"); return fd < 0 ? 1 : 0; }',
      };
      const prelude = '#include <errno.h>\n#include <fcntl.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\n';
      for (const [name, body] of Object.entries(sources)) {
        writeFileSync(path.join(dir, `${name}.c`), prelude + body + '\n');
        const cc = await host('musl-gcc', ['-static', '-O1', '-o', path.join(dir, name), path.join(dir, `${name}.c`)]);
        expect(cc.stderr).toBe('');
      }
      const kinds: Submission[] = [
        ...Array<Submission>(10).fill('sum'),
        ...(['loop', 'bomb', 'hog', 'flood', 'rowrite'] as const).flatMap((k) => Array<Submission>(8).fill(k)),
      ];
      await run({ rootfs, command: ['true'] }); // the fds every run shares, when this test runs alone
      const fds = openFds();
      const results = await Promise.all(kinds.map((kind, i) =>
        run({ ...judge, volume: [`${dir}:/judge:ro`], command: [`/judge/${kind}`], stdin: `${i} 1 2 3\n`, maxOutputBytes: 65_536 })));
      results.forEach((r, i) => expectVerdict(kinds[i]!, i, r));
      expect(openFds()).toBe(fds);
      expect(existsSync(path.join(dir, 'out.txt'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('1,000 concurrent runs in one Node process: all right, no warning, no fd or container left', async () => {
    const script = `
      import { readdirSync } from 'node:fs';
      import { run } from ${JSON.stringify(path.resolve(path.dirname(cliPath), 'index.js'))};
      await run({ rootfs: ${JSON.stringify(rootfs)}, command: ['true'] });
      const fds = readdirSync('/proc/self/fd').length;
      const t0 = performance.now();
      const results = await Promise.all(Array.from({ length: 1000 }, (_, i) =>
        run({ rootfs: ${JSON.stringify(rootfs)}, command: ['sh', '-c', 'read x; echo "$x"; exit $((x % 7))'], stdin: i + '\\n',
          memory: '64m', pidsLimit: 32, timeoutMs: 120000 })));
      const wrong = results.filter((r, i) => r.stdout !== i + '\\n' || r.exitCode !== i % 7 || r.timedOut || r.usage.pidsPeak !== 1);
      console.log(JSON.stringify({ wrong: wrong.length, fdsBefore: fds, fdsAfter: readdirSync('/proc/self/fd').length, seconds: (performance.now() - t0) / 1000 }));
    `;
    const r = await host(process.execPath, ['--input-type=module', '-e', script], 400_000);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { wrong: number; fdsBefore: number; fdsAfter: number; seconds: number };
    console.log(`1,000 concurrent run()s: ${out.seconds.toFixed(1)} s`);
    expect(out.wrong).toBe(0);
    expect(out.fdsAfter).toBe(out.fdsBefore);
  }, 420_000);
});

describe.skipIf(skipUnless('ctr run --timeout/--report/--stop-timeout end to end', { root: isRoot, 'rootfs/default': existsSync(defaultRootfs) }))('sandbox: the ctr run flags', () => {
  expectNothingLeaked();

  it('--timeout SECS SIGKILLs the whole container and exits 124; --report - prints the result JSON after the output', async () => {
    const r = await ctr(['run', '--net', 'none', '--timeout', '0.5', '--report', '-', rootfs, 'sh', '-c', 'sleep 100 & echo hi; while :; do :; done']);
    expect(r.code).toBe(124);
    expect(r.stderr).toBe('ctr: timed out after 0.5 s: container killed\n');
    expect(r.stdout.startsWith('hi\n{')).toBe(true);
    const report = JSON.parse(r.stdout.slice(3)) as SandboxResult;
    expect(report).toMatchObject({ exitCode: 137, signal: 'SIGKILL', timedOut: true, oomKilled: false, outputTruncated: false });
    expect(report.usage.wallMs).toBeGreaterThanOrEqual(500);
    expect(report.usage.cpuUserMs).toBeGreaterThan(100);
    expect(report.usage.pidsPeak).toBe(2);
  });

  it('--report FILE holds what run() would return, for an exit and for an OOM kill', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ctr-report-'));
    try {
      const file = path.join(dir, 'meta.json');
      expect((await ctr(['run', '--net', 'none', '--report', file, rootfs, 'sh', '-c', 'exit 3'])).code).toBe(3);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ exitCode: 3, signal: null, timedOut: false, oomKilled: false });
      const oom = await ctr(['run', '--net', 'none', '-m', '64m', '--report', file, rootfs, 'mem-hog', '--max', '256m']);
      expect(oom.code).toBe(137);
      const report = JSON.parse(readFileSync(file, 'utf8')) as SandboxResult;
      expect(report).toMatchObject({ exitCode: 137, signal: 'SIGKILL', oomKilled: true });
      expect(report.usage.memoryPeakBytes).toBe(64 * MiB);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad --timeout, --report or --stop-timeout, and --timeout without a foreground run, in one line before creating anything', async () => {
    for (const [args, line] of [
      [['--timeout', '0'], 'ctr: invalid --timeout 0: use a time from 1 ms to 24 days\n'],
      [['--timeout', '2s'], 'ctr: invalid --timeout "2s": expected seconds, e.g. 2 or 0.5\n'],
      [['--report', '/no/such/dir/meta.json'], 'ctr: invalid --report "/no/such/dir/meta.json": name a file in an existing directory, or - for stdout\n'],
      [['--stop-timeout', '1.5'], 'ctr: invalid --stop-timeout "1.5": expected whole seconds, e.g. 10\n'],
      [['-d', '--timeout', '1'], "ctr: --timeout and --report need a foreground 'ctr run' (the ctr process enforces and reports the end)\n"],
    ] as const) {
      expect(await ctr(['run', '--net', 'none', ...args, rootfs, 'true'])).toMatchObject({ code: 125, stdout: '', stderr: line });
    }
    expect(await ctr(['create', '--timeout', '1', rootfs, 'true'])).toMatchObject({ code: 125 });
  });

  it('--stop-timeout SECS is the grace before SIGKILL for ctr stop without -t, and for a signal to a foreground ctr', async () => {
    // PID 1 without a handler ignores SIGTERM (pid_namespaces(7)): only the SIGKILL after the grace ends it
    expect((await ctr(['run', '-d', '--name', 'sb-grace', '--net', 'none', '--stop-timeout', '1', rootfs, 'sleep', '100'])).code).toBe(0);
    try {
      const t0 = Date.now();
      expect((await ctr(['stop', 'sb-grace'])).code).toBe(0);
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(1000);
      expect(took).toBeLessThan(5000);
    } finally {
      await ctr(['rm', '-f', 'sb-grace']);
    }
    const t0 = Date.now();
    const r = await ctr(['run', '--net', 'none', '--stop-timeout', '1', rootfs, 'sleep', '100'], {
      onSpawn: (child) => setTimeout(() => child.kill('SIGTERM'), 500),
    });
    expect(r.code).toBe(137);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
