// cli.test.ts — the built `ctrun` bin (dist/cli.js) as engines and users run it: --version, spec, state
// and list on a real state directory, features consistent with what the parser accepts, and every failure
// one line with exit status 1, also in --log as JSON (containerd reads the last error line back).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processStartTime } from '@ctr/netns';
import { host } from '../../cli/test/helpers.js';
import { loadConfig, parseConfig } from '../src/config/config.js';
import { defaultSpec } from '../src/spec.js';
import { StateStore } from '../src/state.js';

const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../dist/cli.js');
const ctrun = (...args: string[]) => host(process.execPath, [bin, ...args]);

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctrun-cli-'));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('ctrun', () => {
  it('--version prints ctrun\'s and the spec\'s versions, as runc (podman info reads it)', async () => {
    const r = await ctrun('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ctrun version \d+\.\d+\.\d+\nspec: 1\.2\.0\nnode: v\d+/);
  });

  it('spec writes a config.json that ctrun parses without a warning, and never overwrites one', async () => {
    expect((await ctrun('spec', '--bundle', dir)).code).toBe(0);
    const { config, warnings } = loadConfig(dir);
    expect(warnings).toEqual([]);
    expect(config.root.path).toBe(join(dir, 'rootfs'));
    const again = await ctrun('spec', '-b', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`ctrun: ${join(dir, 'config.json')} exists; remove it first\n`);
    expect((await ctrun('spec', '--rootless', '--bundle', join(dir, 'x'))).stderr).toBe('ctrun: spec --rootless is not supported: ctrun runs containers as root\n');
  });

  it('state and list read the state directory under --root, status from the kernel', async () => {
    const root = join(dir, 'root');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    const store = new StateStore(root);
    store.create({ id: 'web', pid: child.pid!, pidStart: processStartTime(child.pid!)!, bundle: '/b', rootfs: '/b/rootfs', created: '2026-01-01T00:00:00.000Z', owner: '', annotations: {} });
    store.create({ id: 'gone', pid: child.pid!, pidStart: 1, bundle: '/g', rootfs: '/g/rootfs', created: '2026-01-02T00:00:00.000Z', owner: '', annotations: {} });

    const state = await ctrun('--root', root, 'state', 'web');
    expect(state.code).toBe(0);
    expect(JSON.parse(state.stdout)).toMatchObject({ ociVersion: '1.2.0', id: 'web', pid: child.pid, status: 'running', bundle: '/b' });
    expect(state.stdout.startsWith('{\n  "ociVersion"')).toBe(true);

    const json = JSON.parse((await ctrun('--root', root, 'list', '--format', 'json')).stdout) as { id: string; status: string }[];
    expect(json.map((c) => [c.id, c.status])).toEqual([['gone', 'stopped'], ['web', 'running']]);
    expect((await ctrun(`--root=${root}`, 'list', '-q')).stdout).toBe('gone\nweb\n');
    const table = (await ctrun('--root', root, 'list')).stdout.split('\n');
    expect(table[0]).toMatch(/^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER$/);
    expect(table[2]).toMatch(new RegExp(`^web\\s+${child.pid}\\s+running\\s+/b\\s+2026-01-01T00:00:00.000Z\\s*$`));
  });

  it('an unknown container: exit 1, "container does not exist" on stderr and as a JSON line in --log', async () => {
    const log = join(dir, 'log.json');
    const r = await ctrun('--root', dir, '--log', log, '--log-format', 'json', 'state', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('ctrun: container does not exist\n');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'error', msg: 'container does not exist', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('bad usage is one line, exit 1, no stack unless --debug', async () => {
    for (const [args, message] of [
      [['--systemd-cgroup', 'list'], 'ctrun: --systemd-cgroup is not supported: ctrun manages cgroups through cgroupfs (use the cgroupfs cgroup manager)\n'],
      [['state'], 'ctrun: "state" requires exactly 1 argument(s), got 0\n'],
      [['list', '--bogus'], 'ctrun: list: flag provided but not defined: -bogus\n'],
      [['checkpoint', 'id'], 'ctrun: unknown command "checkpoint" (ctrun create, start, state, kill, delete, exec, ps, pause, resume, update, list, features, spec)\n'],
    ] as const) {
      const r = await ctrun(...args);
      expect([r.code, r.stderr]).toEqual([1, message]);
      expect(r.stdout).toBe('');
    }
    const debug = await ctrun('--debug', '--root', dir, 'state', 'nope');
    expect(debug.stderr).toMatch(/^ctrun: container does not exist\nOciError: container does not exist\n\s+at /);
  });
});

describe('features', () => {
  it('is the features.md shape, and everything it lists the parser accepts', async () => {
    const r = await ctrun('features');
    expect(r.code).toBe(0);
    const f = JSON.parse(r.stdout);
    expect(f).toMatchObject({ ociVersionMin: '1.0.0', ociVersionMax: '1.2.0', linux: { cgroup: { v1: true, v2: true, systemd: false } } });
    const accepts = (edit: (c: Record<string, any>) => void) => {
      const c = structuredClone(defaultSpec()) as Record<string, any>;
      edit(c);
      return () => parseConfig(JSON.stringify(c), '/b');
    };
    for (const option of f.mountOptions as string[]) {
      const type = option.endsWith('bind') ? 'bind' : 'tmpfs';
      expect(accepts((c) => c.mounts.push({ destination: '/x', type, source: '/s', options: [option] })), option).not.toThrow();
    }
    for (const type of f.linux.namespaces as string[]) {
      expect(accepts((c) => {
        c.linux.namespaces = [{ type }, ...(type === 'uts' ? [] : [{ type: 'uts' }])];
        if (type === 'user') c.linux.uidMappings = c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      }), type).not.toThrow();
    }
    for (const cap of f.linux.capabilities as string[]) expect(accepts((c) => (c.process.capabilities.bounding = [cap])), cap).not.toThrow();
    for (const action of f.linux.seccomp.actions as string[])
      expect(accepts((c) => (c.linux.seccomp = { defaultAction: action })), action).not.toThrow();
    for (const op of f.linux.seccomp.operators as string[])
      expect(accepts((c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op }] }] })), op).not.toThrow();
    for (const arch of f.linux.seccomp.archs as string[])
      expect(accepts((c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: [arch] })), arch).not.toThrow();
    for (const kind of f.hooks as string[]) expect(accepts((c) => (c.hooks = { [kind]: [{ path: '/bin/true' }] })), kind).not.toThrow();
  });
});
