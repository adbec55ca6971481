// podman.test.ts — podman 4 drives each runtime under test (runc, the control; ctrun) as a user would: run
// --rm with output and exit status, run -it through a real terminal (the pty master arrives over conmon's
// console socket), run -d then exec (as root and as uid 1000), logs, stop (SIGTERM reaches the container)
// and rm, and the --memory/--cpus/--pids-limit podman asks for are the limits the container reads from its
// own cgroup files.
// After every case nothing is left: mounts, links, netns, groups under /libpod_parent, runtime state dirs,
// conmon processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '@ctr/test-utils';
import { expectNothingLeaked, parentGroups, removeParentGroups, type LeakScope } from './leaks.js';
import { IMAGE, Podman, PODMAN_CGROUP_PARENT, RUN_FLAGS } from './podman.js';
import { expectInteractiveShell, PROMPT_ENV } from './shell.js';
import { engineNeeds, runtimes, which } from './runtimes.js';

/** Prints the memory limit, CPU quota and period, and pids limit the container's own cgroup files hold. */
const READ_LIMITS = [
  'if [ -f /sys/fs/cgroup/cgroup.controllers ]',
  'then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max',
  'else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/pids/pids.max',
  'fi',
].join('; ');
/** What READ_LIMITS prints for 64 MiB, 0.5 CPU (quota 50 ms per 100 ms) and 50 pids, on v2 and on v1. */
const LIMITS_SEEN = /^67108864\n50000(\n| )100000\n50\n$/;

const needs = engineNeeds({
  podman: which('podman') !== undefined,
  conmon: which('conmon') !== undefined,
});

describe.skipIf(skipUnless('podman driving OCI runtimes', needs))('podman', () => {
  let podman: Podman;
  let parentsBefore: string[];
  const scope: LeakScope = { dir: '', cgroupParent: PODMAN_CGROUP_PARENT, engineGroups: ['conmon'] };
  beforeAll(() => {
    parentsBefore = parentGroups(PODMAN_CGROUP_PARENT);
    podman = new Podman(runtimes);
    scope.dir = podman.dir;
    // The overlay driver bind-mounts its home onto itself when a container is made and may keep it until the
    // next podman command (after a failed create, say); Podman.remove requires nothing mounted under dir.
    scope.storageMounts = [podman.storageHome];
    podman.importImage();
  }, 60_000);
  afterAll(() => {
    podman?.remove();
    removeParentGroups(PODMAN_CGROUP_PARENT, parentsBefore);
  }, 60_000);
  expectNothingLeaked(scope);

  describe.each(runtimes)('--runtime $name', (runtime) => {
    const podmanRun = (args: string[], timeoutMs?: number) => podman.run(['--runtime', runtime.name, ...args], timeoutMs);

    it('run --rm IMAGE echo hi: the output, and the exit status of the container', async () => {
      const r = await podmanRun(['run', '--rm', ...RUN_FLAGS, IMAGE, 'echo', 'hi']);
      expect(r, r.stderr).toMatchObject({ code: 0, stdout: 'hi\n', stderr: '' });
      const failed = await podmanRun(['run', '--rm', ...RUN_FLAGS, IMAGE, 'sh', '-c', 'echo to-stderr >&2; exit 7']);
      expect(failed, failed.stderr).toMatchObject({ code: 7, stdout: '', stderr: 'to-stderr\n' });
    }, 60_000);

    it('run -it: a shell on a pty, its size following the window, exit status back', async () => {
      const name = `ctr-e2e-${runtime.name}-it`;
      const run = podman.commandLine(['--runtime', runtime.name, 'run', '-it', '--rm', '--name', name, ...RUN_FLAGS, '--env', PROMPT_ENV, IMAGE, 'sh']);
      await expectInteractiveShell(name, run, () => podmanRun(['rm', '--force', name]));
    }, 90_000);

    it('run -d, then exec, logs, stop (SIGTERM reaches the container) and rm', async () => {
      const name = `ctr-e2e-${runtime.name}-d`;
      const script = 'trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 0.1; done';
      try {
        const started = await podmanRun(['run', '-d', '--name', name, ...RUN_FLAGS, IMAGE, 'sh', '-c', script]);
        expect(started, started.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[0-9a-f]{64}\n$/) });

        const exec = await podmanRun(['exec', name, 'sh', '-c', 'echo exec-$((6*7)); cat /proc/1/cmdline | tr "\\0" " "']);
        expect(exec, exec.stderr).toMatchObject({ code: 0, stdout: `exec-42\nsh -c ${script} ` });
        // podman's process.json for a user other than root keeps permitted/effective capabilities
        const asUser = await podmanRun(['exec', '--user', '1000:1000', name, 'sh', '-c', 'id -u; grep ^CapEff /proc/self/status']);
        expect(asUser, asUser.stderr).toMatchObject({ code: 0, stdout: '1000\nCapEff:\t0000000000000000\n' });
        const execFailed = await podmanRun(['exec', name, 'sh', '-c', 'exit 5']);
        expect(execFailed.code, execFailed.stderr).toBe(5);

        const logs = await podmanRun(['logs', name]);
        expect(logs, logs.stderr).toMatchObject({ code: 0, stdout: 'started\n' });

        const t0 = Date.now();
        const stopped = await podmanRun(['stop', '--time', '20', name]);
        expect(stopped, stopped.stderr).toMatchObject({ code: 0, stderr: '' });
        // well before the 20 s after which podman sends SIGKILL: the trap ran
        expect(Date.now() - t0).toBeLessThan(10_000);
        const state = await podmanRun(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name]);
        expect(state.stdout).toBe('exited 0\n');
        expect((await podmanRun(['logs', name])).stdout).toBe('started\ngot-term\n');

        const removed = await podmanRun(['rm', name]);
        expect(removed, removed.stderr).toMatchObject({ code: 0, stdout: `${name}\n` });
        expect((await podmanRun(['ps', '--all', '--format', '{{.Names}}'])).stdout).toBe('');
      } finally {
        await podmanRun(['rm', '--force', name]);
      }
    }, 90_000);

    it('--memory 64m --cpus 0.5 --pids-limit 50: the container reads them in its own cgroup files', async () => {
      const limits = ['--memory', '64m', '--cpus', '0.5', '--pids-limit', '50'];
      const r = await podmanRun(['run', '--rm', ...RUN_FLAGS, ...limits, IMAGE, 'sh', '-c', READ_LIMITS]);
      expect(r, r.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(LIMITS_SEEN), stderr: '' });
    }, 60_000);
  });
});
