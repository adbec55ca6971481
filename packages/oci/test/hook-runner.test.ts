// hook-runner.test.ts — hooks are real scripts: they get the state JSON on stdin, args as argv (args[0]
// as argv[0]), exactly the given environment; failures, signals, timeouts and missing files are one line.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processStartTime } from '@ctr/netns';
import { runHook, runHooks } from '../src/hook-runner.js';
import type { OciState } from '../src/state.js';

let dir: string;
const state: OciState = {
  ociVersion: '1.2.0', id: 'c1', pid: 42, status: 'created', bundle: '/b', rootfs: '/b/rootfs',
  created: '2026-01-01T00:00:00.000Z', owner: '', annotations: { k: 'v' },
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctrun-hook-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('runHook', () => {
  it('passes the state on stdin, the args as argv and only the given env', async () => {
    const out = join(dir, 'out');
    const path = script('record', `cat > ${out}.stdin; echo "$1|$2|$FOO|\${HOME-unset}" > ${out}.args`);
    await runHook('createRuntime', { path, args: ['my-hook', 'one', 'two words'], env: ['FOO=bar=baz'] }, state);
    expect(JSON.parse(readFileSync(`${out}.stdin`, 'utf8'))).toEqual(state);
    expect(readFileSync(`${out}.args`, 'utf8')).toBe('one|two words|bar=baz|unset\n');
  });

  it('args[0] is argv[0], as for execv (seen in /proc/PID/cmdline of a binary hook)', async () => {
    const out = join(dir, 'cmdline');
    await runHook('createRuntime', { path: '/bin/sh', args: ['custom-argv0', '-c', `cp /proc/$$/cmdline ${out}`], env: [] }, state);
    expect(readFileSync(out, 'utf8').split('\0')[0]).toBe('custom-argv0');
  });

  it('a non-zero exit fails with the status and the last line of stderr', async () => {
    const path = script('fail', 'echo first >&2; echo "no network for you" >&2; exit 3');
    await expect(runHook('prestart', { path, args: [], env: [] }, state)).rejects.toThrow(
      `prestart hook ${path} exited with status 3: no network for you`,
    );
  });

  it('a hook killed by a signal says which', async () => {
    const path = script('selfkill', 'kill -TERM $$');
    await expect(runHook('poststart', { path, args: [], env: [] }, state)).rejects.toThrow(`poststart hook ${path} was killed by SIGTERM`);
  });

  it('a hook past its timeout is SIGKILLed and fails, even when a child of it holds stderr', async () => {
    const pidFile = join(dir, 'pid');
    const path = script('slow', `sleep 30 & echo $! > ${pidFile}; echo "still going" >&2; exec sleep 30`);
    const started = Date.now();
    await expect(runHook('createContainer', { path, args: [], env: [], timeout: 1 }, state)).rejects.toThrow(
      `createContainer hook ${path} timed out after 1s and was killed: still going`,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    // the background child is not the hook: it is left to whoever owns it, and here we end it by pid
    const orphan = Number(readFileSync(pidFile, 'utf8'));
    expect(processStartTime(orphan)).toBeDefined();
    process.kill(orphan, 'SIGKILL');
  });

  it('a missing hook fails with the errno', async () => {
    const path = join(dir, 'absent');
    await expect(runHook('poststop', { path, args: [], env: [] }, state)).rejects.toThrow(
      expect.objectContaining({ code: 'HOOK_FAILED', message: `poststop hook ${path}: ENOENT`, path }),
    );
  });

  it('a hook that ignores stdin still succeeds', async () => {
    await runHook('startContainer', { path: script('ok', 'exit 0'), args: [], env: [] }, state);
  });
});

describe('runHooks', () => {
  it('runs in order and stops at the first failure', async () => {
    const log = join(dir, 'log');
    const a = script('a', `echo a >> ${log}`);
    const bad = script('bad', `echo bad >> ${log}; exit 1`);
    const c = script('c', `echo c >> ${log}`);
    await expect(runHooks('prestart', [a, bad, c].map((path) => ({ path, args: [], env: [] })), state)).rejects.toThrow(/exited with status 1/);
    expect(readFileSync(log, 'utf8')).toBe('a\nbad\n');
  });
});
