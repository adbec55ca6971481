// security.test.ts — the `security` option against the real kernel: capability sets, no_new_privs, a seccomp
// filter, masked and read-only paths and the read-only root, each read back from inside the container
// (/proc/self/status, mountinfo, errno of the refused operation) and compared with a control run without it.
// Needs root (clone with CLONE_NEW*, mount).
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { capabilityNames, lastCap, type CapabilityName, type SecurityOptions } from '../lib/index.js';
import { denySyscall, SYS_SETHOSTNAME } from './bpf.js';
import { runSh, shOptions, useSandbox } from './helpers.js';

// Docker's default set (moby oci/caps/defaults.go).
const DOCKER_CAPS: CapabilityName[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const NONE: SecurityOptions = {
  capabilities: Object.values(capabilityNames).filter((cap) => cap <= lastCap()),
  noNewPrivileges: false,
  maskedPaths: [],
  readonlyPaths: [],
  readonlyRootfs: false,
};

function capMask(names: CapabilityName[]): bigint {
  return names.reduce((mask, name) => mask | (1n << BigInt(capabilityNames[name])), 0n);
}

/** `Name:\tvalue` fields of a /proc/PID/status text. */
function statusFields(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes(':\t'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

const hex = (mask: bigint) => mask.toString(16).padStart(16, '0');

describe.skipIf(
  skipUnless('security options are enforced by the kernel inside the container', {
    root: isRoot,
    x86_64: process.arch === 'x64',
  }),
)('spawnContainer security', () => {
  const sandbox = useSandbox();
  const tracker = sandbox.tracker;
  let rootfs: string;
  beforeAll(() => {
    rootfs = sandbox.rootfs;
  });
  // What this runtime may hand out at all: a kept capability outside its bounding set stays absent.
  const hostBounding = BigInt(`0x${statusFields(readFileSync('/proc/self/status', 'utf8')).CapBnd}`);

  const sh = (script: string, security?: SecurityOptions, init = false, uid?: number) =>
    runSh(tracker, rootfs, script, { ...(security ? { security } : {}), init, ...(uid !== undefined ? { user: { uid, gid: uid } } : {}) });

  describe('capabilities', () => {
    for (const [label, names] of [
      ['docker defaults', DOCKER_CAPS],
      ['kill only', ['CAP_KILL']],
    ] as const) {
      it(`keeps exactly the requested set (${label}), empties inheritable and ambient`, async () => {
        const security = { ...NONE, capabilities: names.map((n) => capabilityNames[n]) };
        const expected = hex(capMask([...names]) & hostBounding);
        for (const init of [false, true]) {
          // With init, /proc/1 is ctr-init: the sets were applied to it and survived its exec of the command.
          const { output, status } = await sh('cat /proc/self/status; echo ===; cat /proc/1/status', security, init);
          expect(status).toEqual({ exitCode: 0, signal: null });
          for (const part of output.split('===')) {
            const fields = statusFields(part);
            expect([fields.CapBnd, fields.CapPrm, fields.CapEff]).toEqual([expected, expected, expected]);
            expect([fields.CapInh, fields.CapAmb]).toEqual([hex(0n), hex(0n)]);
          }
        }
      });
    }

    // The five sets: what the kernel leaves after execve (capabilities(7)) is what the command must see.
    const numbers = (names: CapabilityName[]) => names.map((n) => capabilityNames[n]);
    const fiveSets = {
      bounding: numbers(DOCKER_CAPS),
      permitted: numbers(['CAP_NET_BIND_SERVICE', 'CAP_KILL', 'CAP_NET_RAW']),
      effective: numbers(['CAP_NET_BIND_SERVICE', 'CAP_KILL', 'CAP_NET_RAW']),
      inheritable: numbers(['CAP_NET_BIND_SERVICE', 'CAP_KILL', 'CAP_CHOWN']),
      ambient: numbers(['CAP_NET_BIND_SERVICE', 'CAP_KILL']),
    };
    const ambient = hex(capMask(['CAP_NET_BIND_SERVICE', 'CAP_KILL']) & hostBounding);
    const inheritable = hex(capMask(['CAP_NET_BIND_SERVICE', 'CAP_KILL', 'CAP_CHOWN']) & hostBounding);
    const bounding = hex(capMask(DOCKER_CAPS) & hostBounding);

    it('a user other than root keeps its ambient set across exec: permitted = effective = ambient', async () => {
      chmodSync(rootfs, 0o755); // a mkdtemp directory: 0700, which uid 1000 could not enter
      for (const init of [false, true]) {
        const { output, status } = await sh('id -u; cat /proc/self/status', { ...NONE, capabilities: fiveSets }, init, 1000);
        expect(status).toEqual({ exitCode: 0, signal: null });
        const fields = statusFields(output);
        expect(output.split('\n')[0]).toBe('1000');
        // CAP_NET_RAW was permitted and effective but not ambient: a uid other than 0 loses it at execve.
        expect([fields.CapBnd, fields.CapInh, fields.CapPrm, fields.CapEff, fields.CapAmb]).toEqual([bounding, inheritable, ambient, ambient, ambient]);
      }
    });

    it('the same sets without ambient leave a user other than root nothing (the control)', async () => {
      chmodSync(rootfs, 0o755);
      const fields = statusFields((await sh('cat /proc/self/status', { ...NONE, capabilities: { ...fiveSets, ambient: [] } }, false, 1000)).output);
      expect([fields.CapInh, fields.CapPrm, fields.CapEff, fields.CapAmb]).toEqual([inheritable, hex(0n), hex(0n), hex(0n)]);
    });

    it('root keeps inheritable and gets the bounding set in permitted and effective', async () => {
      const sets = { ...fiveSets, permitted: fiveSets.bounding, effective: fiveSets.bounding };
      const fields = statusFields((await sh('cat /proc/self/status', { ...NONE, capabilities: sets })).output);
      expect([fields.CapBnd, fields.CapInh, fields.CapPrm, fields.CapEff, fields.CapAmb]).toEqual([bounding, inheritable, bounding, bounding, ambient]);
    });

    it('without the option the container keeps the runtime bounding set (the control)', async () => {
      const fields = statusFields((await sh('cat /proc/self/status')).output);
      expect(fields.CapBnd).toBe(hex(hostBounding));
    });

    it('a dropped capability is refused: sethostname needs CAP_SYS_ADMIN', async () => {
      const script = 'hostname changed 2>/dev/null; echo "exit $?"; hostname';
      const kept = await sh(script, { ...NONE, capabilities: [capabilityNames.CAP_SYS_ADMIN] });
      expect(kept.output.trim().split('\n')).toEqual(['exit 0', 'changed']);
      const dropped = await sh(script, { ...NONE, capabilities: [capabilityNames.CAP_KILL] });
      expect(dropped.output.trim().split('\n')).toEqual(['exit 1', 'ctr-test']);
    });
  });

  it('sets no_new_privs only when asked', async () => {
    const on = statusFields((await sh('cat /proc/self/status', { ...NONE, noNewPrivileges: true })).output);
    const off = statusFields((await sh('cat /proc/self/status', NONE)).output);
    expect([on.NoNewPrivs, off.NoNewPrivs]).toEqual(['1', '0']);
  });

  describe('seccomp', () => {
    const filter = denySyscall(SYS_SETHOSTNAME, 1);
    // CAP_SYS_ADMIN stays, so an EPERM from sethostname can only come from the filter.
    for (const noNewPrivileges of [true, false]) {
      for (const init of [false, true]) {
        it(`makes sethostname fail with EPERM (no_new_privs ${noNewPrivileges}, init ${init})`, async () => {
          const security = { ...NONE, noNewPrivileges, seccomp: filter };
          const { output, status } = await sh(
            'grep -E "^Seccomp(_filters)?:" /proc/self/status; hostname x 2>/dev/null; echo "exit $?"; hostname',
            security,
            init,
          );
          expect(status).toEqual({ exitCode: 0, signal: null });
          expect(output.trim().split('\n')).toEqual(['Seccomp:\t2', 'Seccomp_filters:\t1', 'exit 1', 'ctr-test']);
        });
      }
    }

    it('without the filter the same command succeeds (the control)', async () => {
      const { output } = await sh('grep "^Seccomp:" /proc/self/status; hostname x; echo "exit $?"; hostname', NONE);
      expect(output.trim().split('\n')).toEqual(['Seccomp:\t0', 'exit 0', 'x']);
    });
  });

  describe('masked paths', () => {
    // /proc/kcore (runc's classic example) does not exist on every kernel; /proc/interrupts always does.
    const probe =
      'head -c 16 /proc/interrupts | wc -c; ls /proc/irq | wc -l;' +
      'grep -c " /proc/interrupts \\| /proc/irq " /proc/self/mountinfo';

    it('hides a file behind /dev/null, a directory behind an empty read-only tmpfs; skips missing paths', async () => {
      const security = { ...NONE, maskedPaths: ['/proc/interrupts', '/proc/irq', '/proc/no-such-entry'] };
      const masked = await sh(probe, security);
      expect(masked.status.exitCode).toBe(0);
      expect(masked.output.trim().split('\n')).toEqual(['0', '0', '2']);
      const control = (await sh(probe, NONE)).output.trim().split('\n').map(Number);
      expect(control[0]).toBe(16);
      expect(control[1]).toBeGreaterThan(0);
      expect(control[2]).toBe(0);
    });

    it('the tmpfs over a directory is read-only', async () => {
      const { output } = await sh('touch /proc/irq/x 2>&1', { ...NONE, maskedPaths: ['/proc/irq'] });
      expect(output).toMatch(/Read-only file system/);
    });

    it('refuses a path that crosses a symlink (ELOOP) instead of following it', () => {
      // /bin is a symlink to usr/bin in the test rootfs.
      const c = tracker.spawn({ ...shOptions(rootfs, 'true', 1, 2), security: { ...NONE, maskedPaths: ['/bin/sh'] } });
      expect(() => c.start()).toThrow(
        expect.objectContaining({ code: 'ELOOP', syscall: 'openat2', path: '/bin/sh', stage: 'masked_paths' }),
      );
    });
  });

  it('makes read-only paths refuse writes with EROFS, and only those', async () => {
    const script = 'echo changed > /proc/sys/kernel/hostname; echo "exit $?"; hostname';
    const ro = await sh(`exec 2>&1; ${script}`, { ...NONE, readonlyPaths: ['/proc/sys', '/proc/no-such-entry'] });
    expect(ro.output).toMatch(/Read-only file system/);
    // dash exits 2 when a redirection fails.
    expect(ro.output.trim().split('\n').slice(-2)).toEqual(['exit 2', 'ctr-test']);
    const control = await sh(script, NONE);
    expect(control.output.trim().split('\n')).toEqual(['exit 0', 'changed']);
  });

  it('read-only root: writes to / fail with EROFS, /tmp is a writable 1777 nosuid,nodev tmpfs', async () => {
    const { output, status } = await sh(
      'exec 2>&1; touch /x; echo "root $?"; touch /tmp/y && echo "tmp $?"; stat -c %a /tmp;' +
        'grep " /tmp " /proc/self/mountinfo; grep -E "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / " /proc/self/mountinfo',
      { ...NONE, readonlyRootfs: true },
    );
    expect(status.exitCode).toBe(0);
    const lines = output.trim().split('\n');
    expect(lines[0]).toMatch(/Read-only file system/);
    expect(lines.slice(1, 4)).toEqual(['root 1', 'tmp 0', '1777']);
    expect(lines[4]).toMatch(/ \/tmp rw,nosuid,nodev,relatime( \S+)* - tmpfs /);
    expect(lines[5]).toMatch(/^(\S+ ){4}\/ ro,/);
    expect(lines).toHaveLength(6);
    expect(existsSync(path.join(rootfs, 'x'))).toBe(false);
    expect(existsSync(path.join(rootfs, 'tmp/y'))).toBe(false);
  });
});
