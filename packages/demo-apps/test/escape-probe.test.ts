// escape-probe.test.ts — the probe program's contract: one valid JSON line per probe, distinct names, exit 0;
// usage errors exit 2. On the host as root most probes get through, which is what makes "blocked" inside a
// container meaningful. The host run happens in throwaway mount/pid/uts/ipc/net namespaces, so what a probe
// mounts or renames dies with them; the dangerous calls (reboot, kexec) carry arguments the kernel refuses
// after its permission check, so "succeeded" there means EINVAL — and this test process is still alive.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnless, isRoot } from '@ctr/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { programPath, run, runProgram, type Finished } from './run.js';

interface ProbeLine {
  probe: string;
  result: 'blocked' | 'succeeded' | 'skipped' | 'error';
  errno?: string;
  signal?: string;
  detail?: string;
}

function parseLines(stdout: string): ProbeLine[] {
  const lines = stdout.trimEnd().split('\n');
  return lines.map((line) => JSON.parse(line) as ProbeLine);
}

describe('escape-probe arguments', () => {
  it('refuses an unknown probe name and a missing value with exit 2', async () => {
    for (const args of [['--only', 'no-such-probe'], ['--marker'], ['--host-pid', '0']]) {
      const result = await runProgram('escape-probe', args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^escape-probe: .+\nusage: escape-probe/);
    }
  });
});

describe.skipIf(skipUnless('escape-probe runs every probe on the host', { root: isRoot }))('escape-probe on the host', () => {
  let scratch = '';
  let marker = '';
  let foreign = '';
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'ctr-probe-'));
    marker = join(scratch, 'marker');
    foreign = join(scratch, 'foreign');
    writeFileSync(marker, 'host\n');
    writeFileSync(foreign, 'another container\n');
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  // --mount-proc gives the new PID namespace its own /proc, so PID 1 and /proc/PID are the throwaway ones.
  const throwaway = (args: string[]): Promise<Finished> =>
    run('/usr/bin/unshare', ['-m', '-p', '-f', '-u', '-i', '-n', '--mount-proc', programPath('escape-probe'), ...args]);

  it('prints at least 20 distinct probes as JSON lines and exits 0', async () => {
    const result = await throwaway(['--marker', marker, '--foreign', foreign, '--host-pid', String(process.pid)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = parseLines(result.stdout);
    const names = lines.map((line) => line.probe);
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(new Set(names).size).toBe(names.length);
    for (const line of lines) expect(['blocked', 'succeeded']).toContain(line.result);
    const byName = new Map(lines.map((line) => [line.probe, line]));
    // As root in plain namespaces, the chroot trick reaches the host file, mounts work, files are readable.
    expect(byName.get('chroot-escape')).toEqual({ probe: 'chroot-escape', result: 'succeeded' });
    expect(byName.get('mount-tmpfs')?.result).toBe('succeeded');
    expect(byName.get('unshare-mount-ns')?.result).toBe('succeeded');
    expect(byName.get('read-foreign')?.result).toBe('succeeded');
    // The wrong magic number makes reboot fail after the CAP_SYS_BOOT check: EINVAL, nothing rebooted.
    expect(byName.get('reboot')).toEqual({ probe: 'reboot', result: 'succeeded', errno: 'EINVAL' });
    // This test process lives outside the new PID namespace: invisible there.
    expect(byName.get('kill-host-pid')).toEqual({ probe: 'kill-host-pid', result: 'blocked', errno: 'ESRCH' });
  });

  it('runs only the probes named by --only, skips those missing their input, and leaves no scratch behind', async () => {
    const result = await throwaway(['--only', 'mount-tmpfs,read-foreign,kill-host-pid']);
    expect(result.code).toBe(0);
    expect(parseLines(result.stdout)).toEqual([
      { probe: 'mount-tmpfs', result: 'succeeded' },
      { probe: 'kill-host-pid', result: 'skipped' },
      { probe: 'read-foreign', result: 'skipped' },
    ]);
    expect(readdirSync('/tmp').filter((name) => name.startsWith('escape-probe.'))).toEqual([]);
  });

  it('reports a marker that does not exist as a contained chroot escape', async () => {
    const missing = join(scratch, 'absent');
    const result = await throwaway(['--only', 'chroot-escape', '--marker', missing]);
    expect(existsSync(missing)).toBe(false);
    expect(parseLines(result.stdout)).toEqual([{ probe: 'chroot-escape', result: 'blocked', errno: 'ENOENT' }]);
  });
});
