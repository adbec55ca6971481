// cleanup.test.mjs — the bench's release path on real processes: a tracked process is stopped by its PID
// before the release steps run, steps run newest first, and a failing step does not stop the others.
import { describe, expect, it } from 'vitest';
import { Cleanup } from '../src/cleanup.mjs';
import { isAlive } from '../src/procfs.mjs';
import { startTracked } from '../src/run.mjs';

describe('Cleanup', () => {
  it('stops tracked processes first, then runs the steps in reverse and collects their errors', async () => {
    const cleanup = new Cleanup();
    const order = [];
    const sleeper = startTracked(cleanup, '/bin/sleep', ['60']);
    cleanup.push('first', () => order.push(`first, sleeper alive: ${isAlive(sleeper.pid)}`));
    cleanup.push('broken', () => {
      throw new Error('boom');
    });
    cleanup.push('last', () => order.push('last'));
    const errors = await cleanup.run();
    expect(await sleeper.exited).toMatchObject({ signal: 'SIGTERM' });
    expect(order).toEqual(['last', 'first, sleeper alive: false']);
    expect(errors.map((e) => e.message)).toEqual(['cleanup of broken: boom']);
  });

  it('runs once even when called again (a signal during the normal cleanup)', async () => {
    const cleanup = new Cleanup();
    let runs = 0;
    cleanup.push('count', () => runs++);
    await Promise.all([cleanup.run(), cleanup.run()]);
    expect(runs).toBe(1);
  });
});
