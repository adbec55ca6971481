// rootfs-layer.test.ts — each container writes into its own layer, never into the rootfs: two containers on
// one rootfs do not see each other's files, a setuid shell made inside never reaches the host tree, the tree
// is byte-identical afterwards and no layer directory remains — also after a SIGKILL of `ctr run`, with
// --userns and with --read-only. --rootfs-rw writes through, as before. A bad --ip creates nothing at all.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { ctrParentGroups } from '../cgroup-tree.js';
import { bridgeExists, removeSuiteObjects } from '../global-setup.js';
import { ctr, defaultRootfs, expectNothingLeaked, hostSnapshot, layersDir, startContainer, type CtrResult } from '../helpers.js';

/** path → "mode uid gid size sha256" for every entry of `root` (symlinks: their target). */
function manifest(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const st = lstatSync(full);
      const content = st.isFile()
        ? createHash('sha256').update(readFileSync(full)).digest('hex')
        : st.isSymbolicLink() ? `-> ${readlinkSync(full)}` : '';
      out.set(path.relative(root, full), `${st.mode.toString(8)} ${st.uid} ${st.gid} ${st.size} ${content}`);
      if (st.isDirectory()) walk(full);
    }
  };
  const top = lstatSync(root);
  out.set('.', `${top.mode.toString(8)} ${top.uid} ${top.gid} ${top.size}`);
  walk(root);
  return out;
}

/** Starts `ctr run ...args` and resolves `ready` once its stdout printed `line`; `done` is its result. */
function runUntil(args: string[], line: string): { ready: Promise<void>; done: Promise<CtrResult> } {
  let ready!: Promise<void>;
  const done = ctr(['run', ...args], {
    onSpawn: (child) => {
      ready = new Promise((resolve) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          if (out.includes(line)) resolve();
        });
      });
    },
  });
  return { ready: Promise.race([ready, done.then((r) => Promise.reject(new Error(`ended early: ${r.stderr}`)))]), done };
}

const writeSuid = 'cp /bin/sh /suid-sh && chmod 4755 /suid-sh';

describe.skipIf(skipUnless('writable layers over a shared rootfs', { root: isRoot }))('the writable layer', () => {
  // First, before any container of this file ran: a bad --ip must not even create the bridge or parent groups.
  it('refuses a bad --ip before creating anything: no parent group, no bridge, no state', async () => {
    await ctr(['ps']);
    // What earlier suites of this run made ctr create goes first, so the check below can see a creation.
    removeSuiteObjects(inject('hadBridge'), inject('hadParents'));
    const world = (): unknown => ({ ...hostSnapshot(), bridge: bridgeExists(), parents: ctrParentGroups().sort() });
    const before = world();
    const cases: [string, RegExp][] = [
      ['10.88.0', /invalid --ip "10\.88\.0": invalid IPv4 address/],
      ['10.99.0.5', /invalid --ip "10\.99\.0\.5": address 10\.99\.0\.5 is outside 10\.88\.0\.0\/16/],
      ['10.88.0.1', /the gateway/],
      ['10.88.255.255', /the broadcast address/],
      ['10.88.0.0', /the network address/],
    ];
    for (const [ip, message] of cases) {
      const r = await ctr(['run', '--ip', ip, '--cpus', '0.5', defaultRootfs, '/bin/true']);
      expect(r.code, r.stderr).toBe(125);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
      expect(r.stderr).toMatch(/use a free address inside 10\.88\.0\.0\/16/);
    }
    expect(world()).toEqual(before);
  }, 60_000);

  describe('leaves nothing', () => {
    expectNothingLeaked();

    it('keeps two containers on one rootfs apart, and the rootfs byte-identical', async () => {
      const before = manifest(defaultRootfs);
      // A writes, then waits while B writes the same path; each must read back only its own file.
      const a = runUntil(
        ['--net', 'none', defaultRootfs, 'sh', '-c', `echo a > /shared && ${writeSuid} && echo ready && sleep 4 && cat /shared && ls -l /suid-sh`],
        'ready',
      );
      await a.ready;
      let aDone = false;
      void a.done.then(() => (aDone = true));
      const b = await ctr(['run', '--net', 'none', defaultRootfs, 'sh', '-c', `cat /shared 2>&1; echo b > /shared && ${writeSuid} && cat /shared`]);
      expect(aDone, 'A must still run while B writes').toBe(false);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout).toMatch(/^cat: \/shared: No such file or directory\nb\n$/);
      // Meanwhile the host's tree has neither file.
      expect(existsSync(path.join(defaultRootfs, 'shared'))).toBe(false);
      expect(existsSync(path.join(defaultRootfs, 'suid-sh'))).toBe(false);
      const resultA = await a.done;
      expect(resultA.code, resultA.stderr).toBe(0);
      expect(resultA.stdout).toMatch(/^ready\na\n-rwsr-xr-x /);
      expect(manifest(defaultRootfs)).toEqual(before);
      expect(readdirSync(layersDir)).toEqual([]);
    }, 60_000);

    it('keeps the layer in a root-only directory and removes it after a SIGKILL of ctr run at the next ctr ps', async () => {
      const started = await startContainer('layer-kill', ['--net', 'none', defaultRootfs, 'sh', '-c', `${writeSuid} && echo ready && sleep 60`], 'ready');
      const { layer, rootfsMode } = started.entry;
      expect(rootfsMode).toBe('overlay');
      expect(layer).toMatch(new RegExp(`^${layersDir}/[0-9a-f]{12}$`));
      // What the container wrote is in its upper directory, behind two root-only directories.
      expect(statSync(path.join(layer!, 'upper/suid-sh')).mode & 0o7777).toBe(0o4755);
      expect(statSync(layersDir).mode & 0o777).toBe(0o700);
      expect(statSync(layer!).mode & 0o777).toBe(0o700);
      const killed = await started.kill('SIGKILL');
      expect(killed.signal).toBe('SIGKILL');
      expect(existsSync(layer!)).toBe(true);
      await ctr(['ps']);
      expect(existsSync(layer!)).toBe(false);
    }, 60_000);

    it('removes an orphan layer whose state file is gone, and nothing that is not a layer', async () => {
      const orphan = path.join(layersDir, '0123456789ab');
      const other = path.join(layersDir, 'not-a-layer');
      mkdirSync(path.join(orphan, 'upper'), { recursive: true });
      writeFileSync(path.join(orphan, 'upper/file'), 'x');
      mkdirSync(other);
      try {
        await ctr(['ps']);
        expect(readdirSync(layersDir)).toEqual(['not-a-layer']);
      } finally {
        rmSync(orphan, { recursive: true, force: true });
        rmSync(other, { recursive: true, force: true });
      }
    });

    it('works with --userns auto: the layer belongs to the mapped root, the rootfs stays unchanged', async () => {
      const before = manifest(defaultRootfs);
      const started = await startContainer(
        'layer-userns',
        ['--init', '--net', 'none', '--userns', 'auto', defaultRootfs, 'sh', '-c', `rm -rf /etc && mkdir /etc && ${writeSuid} && id -u && echo ready && sleep 60`],
        'ready',
      );
      const hostUid = Number((started.entry as unknown as { security: { userns: string } }).security.userns.split(':')[0]);
      expect(hostUid).toBeGreaterThan(0);
      // Container root's setuid shell is setuid to an unprivileged host uid, in a directory host users cannot reach.
      const suid = statSync(path.join(started.entry.layer!, 'upper/suid-sh'));
      expect([suid.uid, suid.mode & 0o7777]).toEqual([hostUid, 0o4755]);
      await started.stop();
      expect(existsSync(path.join(defaultRootfs, 'etc/passwd'))).toBe(true);
      expect(manifest(defaultRootfs)).toEqual(before);
    }, 60_000);

    it('works with --read-only, with and without --userns, and leaves the rootfs unchanged', async () => {
      const before = manifest(defaultRootfs);
      for (const extra of [[], ['--userns', 'auto']]) {
        const r = await ctr(['run', '--net', 'none', '--read-only', ...extra, defaultRootfs, 'sh', '-c', 'touch /tmp/ok && echo tmp-ok; touch /nope']);
        expect(r.stdout).toBe('tmp-ok\n');
        expect(r.stderr).toMatch(/Read-only file system/);
      }
      expect(manifest(defaultRootfs)).toEqual(before);
    }, 60_000);

    it('writes through to the rootfs with --rootfs-rw, and ps --json says so', async () => {
      const probe = path.join(defaultRootfs, 'rootfs-rw-probe');
      try {
        const started = await startContainer('layer-rw', ['--init', '--net', 'none', '--rootfs-rw', defaultRootfs, 'sh', '-c', 'echo through > /rootfs-rw-probe && echo ready && sleep 60'], 'ready');
        expect(started.entry.rootfsMode).toBe('rw');
        expect(started.entry.layer).toBeUndefined();
        expect(readFileSync(probe, 'utf8')).toBe('through\n');
        await started.stop();
      } finally {
        rmSync(probe, { force: true });
      }
      const r = await ctr(['run', '--rootfs-rw', '--read-only', defaultRootfs, '/bin/true']);
      expect(r.code).toBe(125);
      expect(r.stderr.trim()).toBe('ctr: --rootfs-rw and --read-only contradict each other; use one of them');
    }, 60_000);
  });
});
