// args.test.mjs — the bench's options: defaults of the full and quick passes, and refused values.
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/args.mjs';

const env = { cores: 2, benchDir: '/repo/bench' };

describe('parseOptions', () => {
  it('defaults to at least 30 runs of every measure and 20 containers', () => {
    const o = parseOptions([], env);
    expect(o).toMatchObject({ quick: false, runs: 30, memoryRuns: 30, scale: 20, scaleRuns: 30, cpuWindows: 30, maxLoad: 1, maxWaitMs: 60_000 });
    expect(o.out).toBe('/repo/bench/results');
    expect(o.only).toEqual(['start', 'netsetup', 'memory', 'scale', 'cpu', 'throughput', 'detached', 'exec', 'scale-detached', 'oci', 'sandbox']);
    expect(o).toMatchObject({ detachedScale: 100, detachedScaleRuns: 3 });
  });
  it('shortens everything with --quick', () => {
    expect(parseOptions(['--quick'], env)).toMatchObject({ quick: true, runs: 10, memoryRuns: 5, scaleRuns: 3, maxWaitMs: 10_000 });
  });
  it('runs fewer rounds of a large scale so the full pass stays within its time', () => {
    expect(parseOptions(['--scale', '100'], env)).toMatchObject({ scale: 100, scaleRuns: 10 });
  });
  it('accepts a zero wait and a subset of measures', () => {
    expect(parseOptions(['--max-wait', '0', '--only', 'start,cpu'], env)).toMatchObject({ maxWaitMs: 0, only: ['start', 'cpu'] });
    expect(parseOptions(['--only', 'detached,exec,scale-detached'], env).only).toEqual(['detached', 'exec', 'scale-detached']);
  });
  it('refuses unknown measures, bad numbers and unknown flags', () => {
    expect(() => parseOptions(['--only', 'start,disk'], env)).toThrow(/unknown measure disk/);
    expect(() => parseOptions(['--runs', '2.5'], env)).toThrow(/positive integer/);
    expect(() => parseOptions(['--scale', '300'], env)).toThrow(/at most 250/);
    expect(() => parseOptions(['--fast'], env)).toThrow();
  });
});
