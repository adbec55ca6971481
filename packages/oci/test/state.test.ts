// state.test.ts — the state directory on real temp dirs, and the status derived from real processes:
// a live one is running, a FIFO in its directory makes it created, a dead, zombie or reused pid is stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { processStartTime } from '@ctr/netns';
import { host } from '../../cli/test/helpers.js';
import { EXEC_FIFO, StateStore, type StateRecord } from '../src/state.js';

let root: string;
let store: StateStore;
const children: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ctrun-state-'));
  store = new StateStore(join(root, 'run'));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

function record(pid: number, pidStart: number, id = 'c1'): StateRecord {
  return { id, pid, pidStart, bundle: '/b', rootfs: '/b/rootfs', created: '2026-01-01T00:00:00.000Z', owner: '', annotations: {} };
}

/** /proc/PID/stat: state letter and start time (which a zombie keeps). */
function stat(pid: number): { state: string; start: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, start: Number(fields[19]) };
}

describe('StateStore', () => {
  it('creates one 0700 directory per id with state.json written whole, and refuses an id in use', () => {
    const child = sleeper();
    store.create(record(child.pid!, processStartTime(child.pid!)!));
    expect(statSync(store.root).mode & 0o777).toBe(0o700);
    expect(statSync(join(store.root, 'c1')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(store.root, 'c1'))).toEqual(['state.json']);
    expect(store.read('c1').pid).toBe(child.pid);
    expect(() => store.create(record(1, 1))).toThrow('container with id exists: c1');
  });

  it('an unknown id is "container does not exist" (engines match these words)', () => {
    expect(() => store.state('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: 'container does not exist' }));
  });

  it('a state.json that is not ours is refused, not trusted', () => {
    mkdirSync(join(store.root, 'bad'), { recursive: true });
    writeFileSync(join(store.root, 'bad', 'state.json'), '{"id":"other"}');
    expect(() => store.read('bad')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });

  it('ids are the directories with a state.json, sorted; a missing root is empty; remove deletes', () => {
    expect(new StateStore(join(root, 'absent')).ids()).toEqual([]);
    store.create(record(1, 1, 'b'));
    store.create(record(1, 1, 'a'));
    mkdirSync(join(store.root, 'half-made'));
    expect(store.ids()).toEqual(['a', 'b']);
    store.remove('a');
    expect(store.ids()).toEqual(['b']);
  });

  it('write replaces atomically, leaving no temp file', () => {
    store.create(record(1, 1));
    store.write({ ...record(1, 1), annotations: { k: 'v' } });
    expect(readdirSync(join(store.root, 'c1'))).toEqual(['state.json']);
    expect(store.read('c1').annotations).toEqual({ k: 'v' });
  });
});

describe('status from the kernel', () => {
  it('running: the recorded pid is alive with its start time; runc\'s state shape', () => {
    const child = sleeper();
    store.create({ ...record(child.pid!, processStartTime(child.pid!)!), annotations: { a: 'b' } });
    expect(store.state('c1')).toEqual({
      ociVersion: '1.2.0', id: 'c1', pid: child.pid, status: 'running', bundle: '/b', rootfs: '/b/rootfs',
      created: '2026-01-01T00:00:00.000Z', owner: '', annotations: { a: 'b' },
    });
  });

  it('created: the exec FIFO is still in the directory', async () => {
    const child = sleeper();
    store.create(record(child.pid!, processStartTime(child.pid!)!));
    expect((await host('mkfifo', [join(store.root, 'c1', EXEC_FIFO)])).code).toBe(0);
    expect(store.state('c1').status).toBe('created');
  });

  it('stopped, pid 0: the process exited and was reaped', async () => {
    const child = sleeper();
    store.create(record(child.pid!, processStartTime(child.pid!)!));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(store.state('c1')).toMatchObject({ status: 'stopped', pid: 0 });
  });

  it('stopped: the pid is alive but started at another time (reused)', () => {
    const child = sleeper();
    store.create(record(child.pid!, processStartTime(child.pid!)! - 1));
    expect(store.state('c1').status).toBe('stopped');
  });

  it('stopped: the process is a zombie nobody reaped (the validation suite polls for this)', async () => {
    // sh starts a short-lived child, then becomes a sleep that never waits for it: a zombie with its start time
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent);
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d)))));
    const deadline = Date.now() + 5000;
    while (stat(pid).state !== 'Z' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const { state, start } = stat(pid);
    expect(state).toBe('Z');
    store.create(record(pid, start));
    expect(store.state('c1')).toMatchObject({ status: 'stopped', pid: 0 });
  });
});

// A real freezer group (v1 freezer.state, v2 cgroup.freeze) with a real process in it: the kernel says paused.
// Creates a cgroup: run as root under /tmp/ctr-root.lock.
describe.skipIf(skipUnless('paused status from a frozen cgroup', { root: isRoot }))('status from the freezer', () => {
  it('paused while the group is frozen, running once thawed', async () => {
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    const group = v2 ? `/sys/fs/cgroup/ctrun-test-${process.pid}` : `/sys/fs/cgroup/freezer/ctrun-test-${process.pid}`;
    const freezer = join(group, v2 ? 'cgroup.freeze' : 'freezer.state');
    const [frozen, thawed] = v2 ? ['1', '0'] : ['FROZEN', 'THAWED'];
    const child = sleeper();
    mkdirSync(group);
    try {
      writeFileSync(join(group, 'cgroup.procs'), String(child.pid));
      store.create({ ...record(child.pid!, processStartTime(child.pid!)!), freezer });
      expect(store.state('c1').status).toBe('running');
      writeFileSync(freezer, frozen!);
      // v1 passes through FREEZING, v2 sets cgroup.events frozen 1 once every task stopped
      const deadline = Date.now() + 5000;
      while (store.state('c1').status !== 'paused' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(store.state('c1').status).toBe('paused');
      writeFileSync(freezer, thawed!);
      expect(store.state('c1').status).toBe('running');
    } finally {
      writeFileSync(freezer, thawed!);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      rmdirSync(group);
    }
  });
});
