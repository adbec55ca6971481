// status.test.ts — what `statusOf` makes of a state file against the real processes it names: a shim and a
// PID 1 that runs a command other than the runtime's own image (here a `sleep`, standing for both).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processStartTime } from '@ctr/netns';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-status-'));
process.env.CTR_STATE_DIR = dir;
const { statusOf } = await import('../../src/runtime/state.js');

let sleeper: ChildProcess;
beforeAll(async () => {
  sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((resolve) => sleeper.once('spawn', resolve));
});
afterAll(() => {
  sleeper.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function state(extra: Record<string, unknown> = {}) {
  const pid = sleeper.pid!;
  return {
    name: 'status_probe', id: 'abc', pid, ctrPid: 0, ctrPidStart: 0, hostname: 'h', rootfs: '/', rootfsMode: 'rw' as const,
    command: ['sleep'], started: new Date().toISOString(), network: 'bridge' as const, status: 'created' as const,
    shimPid: pid, shimPidStart: processStartTime(pid), runtimeExe: process.execPath, ...extra,
  };
}

describe('statusOf', () => {
  it('is running once PID 1 no longer runs the runtime image', () => {
    expect(statusOf(state())).toBe('running');
  });

  it('is created for a copy read while its creator was still recording (no address yet), whatever runs now', () => {
    expect(statusOf(state({ creating: true }))).toBe('created');
  });

  it('is stopped once the shim is gone, creating or not', () => {
    expect(statusOf(state({ creating: true, shimPidStart: -1 }))).toBe('stopped');
  });
});
