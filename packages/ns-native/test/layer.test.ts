// layer.test.ts — `layer`: the rootfs as the read-only lower layer of an overlay the child mounts, with the
// writes in `layer/upper`. Real overlayfs, as root, plain and in a user namespace; a rootfs path full of the
// characters overlayfs' option syntax uses (',' ':' '\') still works, because no path is in the options.
import { chownSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { capabilityNames, lastCap } from '../lib/index.js';
import { runSh, shOptions, useSandbox } from './helpers.js';

describe.skipIf(skipUnless('overlayfs writable layers', { root: isRoot }))('spawnContainer with a layer', () => {
  const sandbox = useSandbox();
  const tracker = sandbox.tracker;
  let layer = '';
  beforeEach(() => {
    layer = mkdtempSync(path.join(tmpdir(), 'ctr-layer-'));
    mkdirSync(path.join(layer, 'upper'), { mode: 0o755 });
    mkdirSync(path.join(layer, 'work'), { mode: 0o700 });
  });
  afterEach(() => rmSync(layer, { recursive: true, force: true }));

  it('sends writes to layer/upper and leaves the rootfs as it was; no host path is in the mount options', async () => {
    const before = readdirSync(sandbox.rootfs).sort();
    const { output, status } = await runSh(
      tracker,
      sandbox.rootfs,
      'echo made > /made && cat /made && grep " / / " /proc/self/mountinfo',
      { layer },
    );
    expect(status).toEqual({ exitCode: 0, signal: null });
    const [made, root] = output.trim().split('\n');
    expect(made).toBe('made');
    expect(root).toMatch(/ - overlay overlay rw,.*lowerdir=\/proc\/self\/fd\/\d+,upperdir=\/proc\/self\/fd\/\d+\/upper,workdir=\/proc\/self\/fd\/\d+\/work/);
    expect(root).not.toContain(sandbox.rootfs);
    expect(root).not.toContain(layer);
    expect(readdirSync(sandbox.rootfs).sort()).toEqual(before);
    expect(readdirSync(path.join(layer, 'upper'))).toContain('made');
  });

  it('takes a rootfs whose path holds , : and \\ (overlayfs separators)', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'ctr-odd-'));
    const odd = path.join(parent, 'we,ird:na\\me');
    renameSync(sandbox.rootfs, odd);
    try {
      const { output, status } = await runSh(tracker, odd, 'echo ok > /x && cat /x', { layer });
      expect([status.exitCode, output.trim()]).toEqual([0, 'ok']);
    } finally {
      renameSync(odd, sandbox.rootfs);
      rmSync(parent, { recursive: true });
    }
  });

  it('is mounted by container root in a user namespace: its files belong to the mapped range', async () => {
    const mapping = { hostUid: 100000, hostGid: 100000, size: 65536 };
    for (const dir of ['', 'upper', 'work']) chownSync(path.join(layer, dir), mapping.hostUid, mapping.hostGid);
    const { output, status } = await runSh(tracker, sandbox.rootfs, 'touch /mine && stat -c %u /mine /usr', {
      layer,
      security: {
        capabilities: Object.values(capabilityNames).filter((cap) => cap <= lastCap()),
        noNewPrivileges: false, maskedPaths: [], readonlyPaths: [], readonlyRootfs: false, userns: mapping,
      },
    });
    expect(status).toEqual({ exitCode: 0, signal: null });
    // Inside both are root's; on disk the new one is the mapped root's, in the layer only.
    expect(output.trim().split('\n')).toEqual(['0', '0']);
    expect(statSync(path.join(layer, 'upper/mine')).uid).toBe(mapping.hostUid);
  });

  it('refuses a relative or missing layer before cloning', () => {
    const base = shOptions(sandbox.rootfs, 'true', 1, 0);
    expect(() => tracker.spawn({ ...base, layer: 'relative' })).toThrow(/layer must be an absolute path/);
    const missing = path.join(layer, 'nope');
    expect(() => tracker.spawn({ ...base, layer: missing })).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'open', path: missing }));
    expect(tracker.containers).toHaveLength(0);
  });
});
