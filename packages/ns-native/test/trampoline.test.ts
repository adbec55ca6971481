// trampoline.test.ts — the container's first exec is the sealed ctr-init memfd, never the host's node: the
// clone child is a copy of node, so `/proc/self/exe` as the first command (directly, through a symlink or
// as a `#!` interpreter) would otherwise run the host's node binary inside the container (CVE-2019-5736).
// The rootfs gets node's shared libraries, and a control run of a copy of node proves they are enough:
// had the host's node been started, it would have printed its version. Needs root.
import { execFileSync } from 'node:child_process';
import { copyFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { runSh, useSandbox } from './helpers.js';
import { copyLibraries } from './rootfs.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE (linux/fcntl.h)
const ALL_SEALS = 0x1 | 0x2 | 0x4 | 0x8;

describe.skipIf(skipUnless('the first exec of a container is the sealed ctr-init memfd', { root: isRoot }))(
  'spawnContainer exec trampoline',
  () => {
    const sandbox = useSandbox();
    beforeAll(() => {
      const rootfs = sandbox.rootfs;
      copyLibraries(rootfs, process.execPath);
      copyFileSync(process.execPath, path.join(rootfs, 'usr/bin/node'));
      symlinkSync('/proc/self/exe', path.join(rootfs, 'usr/bin/self-link'));
      writeFileSync(path.join(rootfs, 'usr/bin/self-script'), '#!/proc/self/exe --version\n', { mode: 0o755 });
      execFileSync(process.env.CC ?? 'gcc', ['-static', '-O2', '-Wall', '-Werror', path.join(here, 'fixtures/seals.c'),
        '-o', path.join(rootfs, 'usr/bin/seals')]);
    });

    /** Runs argv as the container's command (no shell in between), output of stdout and stderr together. */
    const run = (argv: string[], init: boolean) =>
      runSh(sandbox.tracker, sandbox.rootfs, '', { argv, execCandidates: [argv[0]!], init });

    it('control: a copy of node runs in this rootfs and prints its version', async () => {
      const { output, status } = await run(['/usr/bin/node', '--version'], false);
      expect({ output: output.trim(), status }).toEqual({ output: process.version, status: { exitCode: 0, signal: null } });
    });

    for (const init of [false, true]) {
      for (const command of [['/proc/self/exe', '--version'], ['/usr/bin/self-link', '--version'], ['/usr/bin/self-script']]) {
        it(`${command[0]} ${init ? 'under --init' : 'as the first command'} is ctr-init, not the host's node`, async () => {
          const { output, status } = await run(command, init);
          expect(output).not.toContain(process.version);
          // ctr-init refuses an argv without `--`: its usage line and status 2 show it was what ran.
          expect(output).toMatch(/^usage: ctr-init /);
          expect(status).toEqual({ exitCode: 2, signal: null });
        });
      }
    }

    it('the memfd behind /proc/1/exe carries all four seals (write, shrink, grow, seal)', async () => {
      const { output, status } = await run(['/usr/bin/seals', '/proc/1/exe'], true);
      expect({ seals: Number(output.trim()), status }).toEqual({ seals: ALL_SEALS, status: { exitCode: 0, signal: null } });
    });

    it('what /proc/self/exe reaches from the first command is that same sealed memfd', async () => {
      // The exec-only trampoline resolves /proc/self/exe to itself; asked to be PID 1 this time, that copy
      // stays as /proc/1/exe while the probe reads it. A non-memfd file would answer EINVAL (error 22).
      const argv = ['/proc/self/exe', '-e', '/usr/bin/seals', '--', 'seals', '/proc/1/exe'];
      const { output, status } = await run(argv, false);
      expect({ seals: Number(output.trim()), status }).toEqual({ seals: ALL_SEALS, status: { exitCode: 0, signal: null } });
    });
  },
);
