// hogs.test.ts — threads-cpu, mem-hog and fork-bomb: their output on the host, and (as root) that a real
// cgroup v1 limit shows in that output: cpu.cfs_quota_us caps threads-cpu's figure, pids.max stops
// fork-bomb with EAGAIN, memory.limit_in_bytes OOM-kills mem-hog with its last line below the limit.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipUnless, isRoot } from '@ctr/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { DemoProgram } from '../index.js';
import { programPath, run, runProgram } from './run.js';

describe('threads-cpu', () => {
  it('prints "All threads are created" then one plausible cpu figure per second', async () => {
    const result = await runProgram('threads-cpu', ['1', '--seconds', '2']);
    expect(result.code).toBe(0);
    const [first, ...reports] = result.stdout.trimEnd().split('\n');
    expect(first).toBe('All threads are created');
    expect(reports).toHaveLength(2);
    for (const line of reports) {
      const cores = Number(line.match(/^cpu (\d+\.\d\d) cores$/)?.[1]);
      // One spinning thread: busy (other test suites may share the 2 cores), never above one core + noise.
      expect(cores).toBeGreaterThan(0.05);
      expect(cores).toBeLessThan(1.1);
    }
  });
});

describe('mem-hog', () => {
  it('reports every step and ends at --max', async () => {
    const result = await runProgram('mem-hog', ['--max', '32m']);
    expect(result).toMatchObject({ code: 0, stdout: 'allocated 16 MiB\nallocated 32 MiB\n' });
  });

  it('takes k/m/g sizes and clips the last step to --max', async () => {
    const result = await runProgram('mem-hog', ['--step', '2048k', '--max', '5m']);
    expect(result).toMatchObject({ code: 0, stdout: 'allocated 2 MiB\nallocated 4 MiB\nallocated 5 MiB\n' });
  });
});

describe('fork-bomb', () => {
  it('stops at --max and reports it', async () => {
    const result = await runProgram('fork-bomb', ['--max', '5']);
    expect(result).toMatchObject({ code: 0, stdout: 'forked 5 children\nstopped: reached max\n' });
  });
});

/** This process's cgroup directory in one v1 hierarchy, from /proc/self/cgroup. */
function ownCgroup(controller: string): string {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((entry) => entry.split(':')[1]?.split(',').includes(controller));
  if (!line) throw new Error(`no ${controller} hierarchy in /proc/self/cgroup`);
  return join('/sys/fs/cgroup', controller, line.split(':')[2]!);
}

const hasV1 = (controller: string): boolean => {
  try {
    return ownCgroup(controller).length > 0;
  } catch {
    return false;
  }
};

describe.skipIf(
  skipUnless('cgroup v1 limits show in the hogs output', {
    root: isRoot,
    'cgroup v1 cpu': hasV1('cpu'),
    'cgroup v1 pids': hasV1('pids'),
    'cgroup v1 memory': hasV1('memory'),
  }),
)('under real cgroup v1 limits', () => {
  const created: string[] = [];
  afterEach(() => {
    for (const dir of created.splice(0).reverse()) rmdirSync(dir);
  });

  function makeCgroup(controller: string, settings: Record<string, string>): string {
    const dir = join(ownCgroup(controller), `ctr-demo-test-${process.pid}`);
    mkdirSync(dir);
    created.push(dir);
    for (const [file, value] of Object.entries(settings)) writeFileSync(join(dir, file), value);
    return dir;
  }

  /** Runs a demo program inside DIR: the shell joins the cgroup, then execs the program. */
  const runIn = (dir: string, program: DemoProgram, args: string[]) =>
    run('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, programPath(program), ...args]);

  it('cpu.cfs_quota_us of a quarter core caps what threads-cpu reports, however many threads spin', async () => {
    const dir = makeCgroup('cpu', { 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '25000' });
    const result = await runIn(dir, 'threads-cpu', ['2', '--seconds', '3']);
    expect(result.code).toBe(0);
    const figures = [...result.stdout.matchAll(/^cpu (\d+\.\d\d) cores$/gm)].map((match) => Number(match[1]));
    expect(figures).toHaveLength(3);
    for (const cores of figures) expect(cores).toBeLessThanOrEqual(0.3);
    expect(Math.max(...figures)).toBeGreaterThan(0.05);
  });

  it('pids.max makes fork fail with EAGAIN before --max', async () => {
    const dir = makeCgroup('pids', { 'pids.max': '6' });
    const result = await runIn(dir, 'fork-bomb', ['--max', '50']);
    // fork-bomb itself counts against pids.max, so 5 children fit.
    expect(result).toMatchObject({
      code: 0,
      stdout: 'forked 5 children\nstopped: fork failed: Resource temporarily unavailable\n',
    });
  });

  it('memory.limit_in_bytes OOM-kills mem-hog, whose last line is below the limit', async () => {
    const dir = makeCgroup('memory', { 'memory.limit_in_bytes': String(64 << 20) });
    const result = await runIn(dir, 'mem-hog', ['--step', '8m', '--max', '1g']);
    expect(result.signal).toBe('SIGKILL');
    const last = Number(result.stdout.trimEnd().split('\n').at(-1)?.match(/^allocated (\d+) MiB$/)?.[1]);
    expect(last).toBeGreaterThanOrEqual(32);
    expect(last).toBeLessThan(64);
    expect(readFileSync(join(dir, 'memory.failcnt'), 'utf8').trim()).not.toBe('0');
  });
});
