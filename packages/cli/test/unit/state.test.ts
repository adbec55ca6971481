// state.test.ts — reserving a container name is one O_EXCL create in the state directory: a name the user
// chose that is taken fails clearly, a generated one is replaced and tried again (real files in a temp dir).
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ctr-state-'));
process.env.CTR_STATE_DIR = dir;
const { reserveName } = await import('../../src/runtime/state.js');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stateNamed(name: string) {
  return {
    name, id: 'abc', pid: 0, ctrPid: process.pid, ctrPidStart: 0, hostname: name, rootfs: '/', rootfsMode: 'rw' as const,
    command: ['/bin/true'],
    started: new Date().toISOString(), network: 'none' as const,
  };
}

describe('reserveName', () => {
  mkdirSync(path.join(dir, 'containers'), { recursive: true });
  writeFileSync(path.join(dir, 'containers', 'calm_curie.json'), '{}');
  writeFileSync(path.join(dir, 'containers', 'bold_knuth.json'), '{}');

  it('refuses a chosen name that is taken, naming it and what to do', () => {
    expect(() => reserveName(stateNamed('calm_curie'))).toThrow(/"calm_curie" is already in use; choose another --name/);
  });

  it('replaces a generated name lost to a sibling until one is free', () => {
    const state = stateNamed('calm_curie');
    const offered = ['bold_knuth', 'wise_pike'];
    let calls = 0;
    reserveName(state, () => {
      calls += 1;
      state.name = offered.shift()!;
    });
    expect(calls).toBe(2);
    expect(state.name).toBe('wise_pike');
    expect(readdirSync(path.join(dir, 'containers')).sort()).toEqual(['bold_knuth.json', 'calm_curie.json', 'wise_pike.json']);
  });
});
