// containerd-fixture.test.ts — a config.json containerd 1.6.20 really wrote (`ctr run`) is accepted in full.
//
// How fixtures/containerd-1.6.20.config.json was captured (Debian 12, as root, once, under /tmp/ctr-root.lock):
//   apt-get install -y containerd podman
//   containerd --config C/config.toml    (version = 2, root/state and [grpc] address in a temp dir C)
//   tar -C rootfs/default -c . | podman import - localhost/ctr-test
//   podman save --format docker-archive -o C/img.tar localhost/ctr-test; podman rmi localhost/ctr-test
//   /usr/bin/ctr --address C/ctd.sock images import C/img.tar
//   a wrapper runtime (sh): appends "$@" to a log, copies BUNDLE/config.json on `create --bundle B`, writes
//     {"level":"error","msg":"capture only",…} to its --log file and exits 1
//   /usr/bin/ctr --address C/ctd.sock run --rm --runc-binary /abs/wrapper localhost/ctr-test:latest cap1 true
//     → the shim called `--root /run/containerd/runc/default --log B/log.json --log-format json create
//       --bundle B --pid-file B/init.pid cap1`, then `… delete --force cap1`, and `ctr` printed
//       "OCI runtime create failed: capture only" (it read the JSON error line back)
//   then: ctr images rm, containerd stopped, C and the /run/containerd it made removed
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.js';

const text = readFileSync(new URL('fixtures/containerd-1.6.20.config.json', import.meta.url), 'utf8');
const BUNDLE = '/run/containerd/io.containerd.runtime.v2.task/default/cap1';

describe('containerd 1.6.20 ctr run IMAGE cap1 true', () => {
  const { config, warnings } = parseConfig(text, BUNDLE);

  it('every property is known', () => {
    expect(warnings).toEqual([]);
  });

  it('the bundle-relative root, the process, its default device allow-list and cgroupsPath', () => {
    expect(config.root).toEqual({ path: `${BUNDLE}/rootfs`, readonly: false });
    expect(config.process).toMatchObject({ args: ['true'], user: { uid: 0, gid: 0, additionalGids: [0] }, noNewPrivileges: true });
    expect(config.linux.cgroupsPath).toBe('/default/cap1');
    expect(config.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'network']);
    const devices = config.linux.resources!.devices;
    expect(devices[0]).toEqual({ allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' });
    expect(devices).toContainEqual({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
    expect(config.mounts.find((m) => m.destination === '/run')).toMatchObject({ type: 'tmpfs', data: 'mode=755,size=65536k' });
  });
});
