// containerd.test.ts — containerd 1.6 and its runc shim (io.containerd.runc.v2, what Kubernetes uses) drive each
// runtime under test through `ctr run --runc-binary RUNTIME`: output and exit status, `-t` through a real
// terminal, a detached task with `tasks exec` (output, exit status) and `tasks kill` (SIGTERM reaches it),
// then `tasks rm`/`containers rm`. The image is rootfs/default, made by podman and saved as a docker archive.
// After every case nothing is left: mounts, links, netns, groups under /ctr-e2e, shims.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '@ctr/test-utils';
import { Containerd, CONTAINERD_CGROUP_PARENT, CTR } from './containerd.js';
import { expectNothingLeaked, parentGroups, removeParentGroups, type LeakScope } from './leaks.js';
import { IMAGE, Podman } from './podman.js';
import { expectInteractiveShell, PROMPT_ENV } from './shell.js';
import { engineNeeds, runtimes, which } from './runtimes.js';

const needs = engineNeeds({
  containerd: which('containerd') !== undefined,
  "containerd's ctr (/usr/bin/ctr)": existsSync(CTR),
  'podman (makes the image)': which('podman') !== undefined,
});

describe.skipIf(skipUnless('containerd driving OCI runtimes', needs))('containerd', () => {
  let containerd: Containerd;
  let parentsBefore: string[];
  const scope: LeakScope = { dir: '', cgroupParent: CONTAINERD_CGROUP_PARENT, daemons: () => (containerd?.pid ? [containerd.pid] : []) };
  beforeAll(async () => {
    parentsBefore = parentGroups(CONTAINERD_CGROUP_PARENT);
    containerd = new Containerd();
    scope.dir = containerd.dir;
    await containerd.start();
    const podman = new Podman([]);
    try {
      podman.importImage();
      const archive = path.join(containerd.dir, 'image.tar');
      podman.saveImage(archive);
      const imported = await containerd.ctr(['images', 'import', archive]);
      expect(imported.code, imported.stderr).toBe(0);
    } finally {
      podman.remove();
    }
  }, 120_000);
  afterAll(async () => {
    await containerd?.stop();
    removeParentGroups(CONTAINERD_CGROUP_PARENT, parentsBefore);
  }, 60_000);
  expectNothingLeaked(scope);

  describe.each(runtimes)('--runc-binary $name', (runtime) => {
    const run = (id: string, args: string[], command: string[]) =>
      containerd.ctr(['run', ...containerd.runtimeFlags(runtime), ...args, IMAGE, id, ...command]);
    const ctr = (args: string[]) => containerd.ctr(args);
    /** Removes the task and the container, whatever state they are in. */
    const remove = async (id: string) => {
      await ctr(['tasks', 'kill', '--signal', 'SIGKILL', id]);
      await ctr(['tasks', 'rm', '--force', id]);
      await ctr(['containers', 'rm', id]);
    };

    it('run --rm IMAGE ID echo hi: the output, and the exit status of the task', async () => {
      const id = `${runtime.name}-echo`;
      try {
        const r = await run(id, ['--rm'], ['echo', 'hi']);
        expect(r, r.stderr).toMatchObject({ code: 0, stdout: 'hi\n', stderr: '' });
        const failed = await run(id, ['--rm'], ['sh', '-c', 'echo to-stderr >&2; exit 7']);
        expect(failed, failed.stderr).toMatchObject({ code: 7, stdout: '', stderr: 'to-stderr\n' });
      } finally {
        await remove(id);
      }
    }, 60_000);

    it('run -t: a shell on a pty, its size following the window, exit status back', async () => {
      const id = `${runtime.name}-tty`;
      const command = containerd.commandLine(['run', ...containerd.runtimeFlags(runtime), '--rm', '-t', '--env', PROMPT_ENV, IMAGE, id, 'sh']);
      await expectInteractiveShell(`ctr-containerd-${id}`, command, () => remove(id));
    }, 90_000);

    it('run -d, then tasks exec (output, exit status), tasks kill (SIGTERM reaches it), tasks rm', async () => {
      const id = `${runtime.name}-detached`;
      const log = path.join(containerd.dir, `${id}.log`);
      const script = 'trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 0.1; done';
      const status = async () => (await ctr(['tasks', 'ls'])).stdout.split('\n').find((l) => l.startsWith(`${id} `))?.split(/\s+/)[2];
      try {
        const started = await run(id, ['-d', '--log-uri', `file://${log}`], ['sh', '-c', script]);
        expect(started, started.stderr).toMatchObject({ code: 0, stderr: '' });
        expect(await status()).toBe('RUNNING');

        const exec = await ctr(['tasks', 'exec', ...containerd.fifoFlags(), '--exec-id', 'e1', id, 'sh', '-c', 'echo exec-$((6*7)); cat /proc/1/cmdline | tr "\\0" " "']);
        expect(exec, exec.stderr).toMatchObject({ code: 0, stdout: `exec-42\nsh -c ${script} ` });
        // Quick programs, one after another: each can exit and be reaped by the shim before the runtime has
        // written --pid-file, and the shim then matches that exit against the file (ctrun once named its own
        // joining process there when the program was gone first: `tasks exec` hung, 1 run in ~4 under load).
        const codes: (number | null)[] = [];
        for (let i = 0; i < 10; i++) codes.push((await ctr(['tasks', 'exec', ...containerd.fifoFlags(), '--exec-id', `q${i}`, id, 'sh', '-c', `exit ${i + 1}`])).code);
        expect(codes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

        const killed = await ctr(['tasks', 'kill', id]);
        expect(killed, killed.stderr).toMatchObject({ code: 0, stderr: '' });
        const deadline = Date.now() + 10_000;
        while ((await status()) !== 'STOPPED' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(await status()).toBe('STOPPED');
        expect(readFileSync(log, 'utf8')).toBe('started\ngot-term\n');

        // a non-zero exit status would be warned about here
        const removed = await ctr(['tasks', 'rm', id]);
        expect(removed, removed.stderr).toMatchObject({ code: 0, stderr: '' });
        expect((await ctr(['containers', 'rm', id])).code).toBe(0);
        expect((await ctr(['containers', 'ls', '--quiet'])).stdout).toBe('');
      } finally {
        await remove(id);
      }
    }, 90_000);
  });
});
