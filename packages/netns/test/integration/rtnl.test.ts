// Against the real kernel (root): bridges, veths with the peer born in a throwaway netns, addresses, routes,
// kernel NACKs with their errno, and the one-call container setup (also with several processes racing on one
// bridge), each checked with `ip -j` from the host and from inside the netns, plus a TCP round trip from the
// host to a listener inside. Every link and netns process is removed in afterAll.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addAddress, deleteAddress, listAddresses } from '../../src/addresses.js';
import { connectContainer, disconnectContainer } from '../../src/connect.js';
import { NetlinkError } from '../../src/errors.js';
import { RTM_NEWADDR } from '../../src/constants.js';
import { findOverlappingRoutes, parseCidr, parseIpv4 } from '../../src/ipv4.js';
import {
  createBridge,
  createVeth,
  deleteLink,
  ensureBridge,
  findLink,
  getLink,
  listLinks,
  setLink,
  setLinkUp,
} from '../../src/links.js';
import { encodeAddress, encodeSetLink } from '../../src/messages.js';
import { addRoute, deleteRoute, listRoutes } from '../../src/routes.js';
import { NetlinkSocket } from '../../src/socket.js';
import { transpileSources } from '../helpers/transpile.js';
import { forceDeleteLink, hostLinksWithPrefix, ipJson, startNetns, stopNetns, testName, type NetnsHolder } from '../helpers/netns.js';

type IpLink = {
  ifname: string; ifindex: number; flags: string[]; master?: string; linkinfo?: { info_kind?: string };
  num_tx_queues?: number; num_rx_queues?: number; operstate?: string; address?: string;
};
type IpAddr = { ifname: string; addr_info: Array<{ family: string; local: string; prefixlen: number }> };
type IpRoute = { dst: string; gateway?: string; dev: string };

describe.skipIf(skipUnless('rtnetlink links, addresses and routes in a throwaway netns', { root: isRoot }))(
  'rtnetlink against the kernel',
  () => {
    const holders: NetnsHolder[] = [];
    const created: string[] = [];
    const third = randomInt(1, 250);
    const subnet = `10.213.${third}.0/24`;
    let host: NetlinkSocket;
    let ns: NetnsHolder;

    /** Registers a host link name for cleanup before it is created. */
    function name(tag: string): string {
      const n = testName(tag);
      created.push(n);
      return n;
    }

    beforeAll(async () => {
      ns = await startNetns();
      holders.push(ns);
      host = NetlinkSocket.open();
    });

    afterAll(async () => {
      host?.close();
      for (const n of created) forceDeleteLink(n);
      await Promise.all(holders.map(stopNetns));
      expect(hostLinksWithPrefix('ctrt')).toEqual([]);
    });

    it('creates a bridge, refuses a duplicate with EEXIST, and ensureBridge is idempotent', () => {
      const br = name('b');
      const made = createBridge(host, br);
      expect(made).toMatchObject({ name: br, kind: 'bridge', up: false });
      const [seen] = ipJson<IpLink[]>(['-d', 'link', 'show', br]);
      expect(seen?.ifindex).toBe(made.index);
      expect(seen?.linkinfo?.info_kind).toBe('bridge');

      let error: unknown;
      try {
        createBridge(host, br);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(NetlinkError);
      expect(error).toMatchObject({ code: 'EEXIST', errno: -17, syscall: 'netlink', request: 'RTM_NEWLINK' });
      expect(ensureBridge(host, br).index).toBe(made.index);
    });

    it('creates a veth whose peer is born in the netns, by pid and by netns path', () => {
      for (const peerNetns of [{ pid: ns.pid }, { path: `/proc/${ns.pid}/ns/net` }]) {
        const veth = name('v');
        const peerName = 'pid' in peerNetns ? 'eth7' : 'eth8';
        const link = createVeth(host, { name: veth, peerName, peerNetns });
        expect(link).toMatchObject({ name: veth, kind: 'veth' });
        expect(ipJson<IpLink[]>(['link', 'show', veth])[0]?.ifindex).toBe(link.index);
        expect(hostLinksWithPrefix(peerName)).toEqual([]);
        const inside = NetlinkSocket.open(`/proc/${ns.pid}/ns/net`);
        try {
          const peer = getLink(inside, peerName);
          expect(peer.kind).toBe('veth');
          expect(peer.link).toBe(link.index);
          expect(link.link).toBe(peer.index);
          expect(ipJson<IpLink[]>(['link', 'show', peerName], ns.pid)[0]?.ifindex).toBe(peer.index);
          expect(listLinks(inside).map((l) => l.name)).toContain(peerName);
        } finally {
          inside.close();
        }
        deleteLink(host, veth);
        expect(hostLinksWithPrefix(veth)).toEqual([]);
        expect(ipJson<IpLink[]>(['link', 'show'], ns.pid).map((l) => l.ifname)).not.toContain(peerName);
      }
    });

    it('rejects a name longer than 15 bytes before talking to the kernel', () => {
      expect(() => createBridge(host, 'ctrt-name-too-long')).toThrow(expect.objectContaining({ code: 'EINVAL_IFNAME' }));
      expect(() => findLink(host, 'a/b')).toThrow(expect.objectContaining({ code: 'EINVAL_IFNAME' }));
    });

    it('enslaves a port, sets links up and down, and ensureBridge refuses a non-bridge', () => {
      const br = name('b');
      const veth = name('v');
      const bridge = createBridge(host, br);
      const port = createVeth(host, { name: veth, peerName: 'eth9', peerNetns: { pid: ns.pid } });
      setLink(host, port.index, { master: bridge.index, up: true });
      setLinkUp(host, br);
      const [seenPort] = ipJson<IpLink[]>(['link', 'show', veth]);
      expect(seenPort?.master).toBe(br);
      expect(seenPort?.flags).toContain('UP');
      expect(getLink(host, veth)).toMatchObject({ master: bridge.index, up: true });
      expect(ipJson<IpLink[]>(['link', 'show', br])[0]?.flags).toContain('UP');
      setLinkUp(host, br, false);
      expect(ipJson<IpLink[]>(['link', 'show', br])[0]?.flags).not.toContain('UP');
      expect(() => ensureBridge(host, veth)).toThrow(expect.objectContaining({ code: 'EEXIST_NOT_BRIDGE' }));
    });

    it('adds, lists and deletes addresses and routes; reports overlapping host routes', () => {
      const br = name('b');
      const bridge = createBridge(host, br);
      setLinkUp(host, bridge.index);
      const gw = `10.213.${third}.1`;
      addAddress(host, bridge.index, `${gw}/24`);
      const [seen] = ipJson<IpAddr[]>(['addr', 'show', 'dev', br]);
      expect(seen?.addr_info.filter((a) => a.family === 'inet')).toEqual([
        expect.objectContaining({ local: gw, prefixlen: 24 }),
      ]);
      expect(listAddresses(host, bridge.index)).toEqual([expect.objectContaining({ address: gw, prefixLen: 24 })]);
      expect(() => addAddress(host, bridge.index, `${gw}/24`)).toThrow(expect.objectContaining({ code: 'EEXIST' }));

      // The kernel's prefix route for the address sits on the bridge: excluded when the bridge is ours.
      const routes = listRoutes(host);
      expect(routes).toContainEqual(expect.objectContaining({ dst: subnet, oif: bridge.index }));
      expect(findOverlappingRoutes(routes, parseCidr(subnet), bridge.index)).toEqual([]);
      expect(findOverlappingRoutes(routes, parseCidr(subnet))).toEqual([expect.objectContaining({ oif: bridge.index })]);

      const extra = `10.214.${third}.0/24`;
      addRoute(host, { dst: extra, oif: bridge.index });
      expect(ipJson<IpRoute[]>(['route', 'show', 'dev', br]).map((r) => r.dst)).toContain(extra);
      expect(findOverlappingRoutes(listRoutes(host), parseCidr(`10.214.${third}.128/25`))).toEqual([
        expect.objectContaining({ dst: extra, oif: bridge.index }),
      ]);
      deleteRoute(host, { dst: extra, oif: bridge.index });
      expect(ipJson<IpRoute[]>(['route', 'show', 'dev', br]).map((r) => r.dst)).not.toContain(extra);
      expect(() => deleteRoute(host, { dst: extra, oif: bridge.index })).toThrow(expect.objectContaining({ code: 'ESRCH' }));

      deleteAddress(host, bridge.index, `${gw}/24`);
      expect(listAddresses(host, bridge.index)).toEqual([]);
    });

    it('turns kernel NACKs into NetlinkError with errno, request name and ext-ack text', () => {
      expect(findLink(host, testName('x'))).toBeUndefined();
      let error: unknown;
      try {
        deleteLink(host, testName('x'));
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'ENODEV', errno: -19, syscall: 'netlink', request: 'RTM_DELLINK' });

      const inside = NetlinkSocket.open(`/proc/${ns.pid}/ns/net`);
      try {
        setLinkUp(inside, 'lo');
        expect(() => addRoute(inside, { dst: '10.9.0.0/16', gateway: '10.99.0.1', oif: 1 })).toThrow(
          expect.objectContaining({ code: 'ENETUNREACH', errno: -101, request: 'RTM_NEWROUTE', extAck: 'Nexthop has invalid gateway' }),
        );
      } finally {
        inside.close();
      }
    });

    it('runs a batch in one datagram in order and names the failing change, not its neighbours', () => {
      const inside = NetlinkSocket.open(`/proc/${ns.pid}/ns/net`);
      const lo = { index: 1, address: parseIpv4('10.77.0.1'), prefixLen: 8 };
      try {
        expect(inside.requestBatch([
          { message: encodeSetLink({ name: 'lo' }, { up: true }), context: 'link lo' },
          { message: encodeAddress(RTM_NEWADDR, lo), context: '10.77.0.1/8 lo' },
        ])).toEqual([[], []]);
        expect(listAddresses(inside, 1).map((a) => a.address)).toContain('10.77.0.1');
        deleteAddress(inside, 1, '10.77.0.1/8');

        let error: unknown;
        try {
          inside.requestBatch([
            { message: encodeSetLink({ name: 'lo' }, { up: true }), context: 'link lo' },
            { message: encodeSetLink({ index: 9999 }, { up: true }), context: 'link ifindex 9999' },
            { message: encodeAddress(RTM_NEWADDR, lo), context: '10.77.0.1/8 lo' },
          ]);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(NetlinkError);
        expect(error).toMatchObject({ code: 'ENODEV', errno: -19, syscall: 'netlink', request: 'RTM_NEWLINK' });
        expect((error as Error).message).toMatch(/^RTM_NEWLINK link ifindex 9999: ENODEV/);
        expect(error).not.toHaveProperty('laterErrors');
        // The kernel does not stop at a failed message: the change after it was made. Callers undo by deleting
        // the link that holds them (connectContainer deletes the veth).
        expect(listAddresses(inside, 1).map((a) => a.address)).toContain('10.77.0.1');
        // The socket stays in step: every ACK of the batch was consumed.
        expect(findLink(inside, 'lo')?.up).toBe(true);
      } finally {
        inside.close();
      }
    });

    it('reads a dump spanning several datagrams, and refuses requests on a closed socket', () => {
      const bridges = Array.from({ length: 40 }, () => name('d'));
      for (const br of bridges) createBridge(host, br);
      const names = listLinks(host).map((l) => l.name);
      expect(names).toEqual(expect.arrayContaining(bridges));
      expect(names.sort()).toEqual(ipJson<IpLink[]>(['link', 'show']).map((l) => l.ifname).sort());
      for (const br of bridges) deleteLink(host, br);
      expect(hostLinksWithPrefix('ctrtd')).toEqual([]);

      const sock = NetlinkSocket.open();
      sock.close();
      expect(() => listLinks(sock)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
    });

    it('connectContainer wires a container end to end (eth0 with the MAC of its address); the host reaches a listener inside over TCP', async () => {
      const container = await startNetns();
      holders.push(container);
      const br = name('b');
      const veth = name('h');
      const gw = `10.215.${third}.1`;
      const address = `10.215.${third}.5`;
      const result = connectContainer({
        bridge: br,
        bridgeAddress: `${gw}/24`,
        hostIfname: veth,
        containerPid: container.pid,
        address: `${address}/24`,
        gateway: gw,
      });
      expect(result).toMatchObject({ hostIfname: veth, containerIfname: 'eth0', address: `${address}/24`, gateway: gw });
      // Ready when connectContainer returns, not whenever the kernel's link-watch work gets to it (connect.ts):
      // read at once, before anything else runs.
      expect(readFileSync(`/sys/class/net/${veth}/operstate`, 'utf8').trim()).toBe('up');
      expect(readFileSync(`/sys/class/net/${veth}/brport/state`, 'utf8').trim()).toBe('3'); // BR_STATE_FORWARDING

      const [hostEnd] = ipJson<IpLink[]>(['-d', 'link', 'show', veth]);
      expect(hostEnd).toMatchObject({ ifindex: result.hostIndex, master: br, num_tx_queues: 1, num_rx_queues: 1 });
      // eth0 has the MAC of its address (mac.ts): 02:42, then 10.215.<third>.5 byte by byte
      const mac = `02:42:0a:d7:${third.toString(16).padStart(2, '0')}:05`;
      expect(ipJson<IpLink[]>(['-d', 'link', 'show', 'eth0'], container.pid)[0]).toMatchObject({
        ifindex: result.containerIndex, num_tx_queues: 1, num_rx_queues: 1, operstate: 'UP', address: mac,
      });
      expect(hostEnd?.flags).toContain('UP');
      expect(ipJson<IpAddr[]>(['addr', 'show', 'dev', br])[0]?.addr_info).toContainEqual(
        expect.objectContaining({ local: gw, prefixlen: 24 }),
      );
      const inside = ipJson<IpAddr[]>(['addr', 'show'], container.pid);
      expect(inside.map((l) => l.ifname).sort()).toEqual(['eth0', 'lo']);
      expect(inside.find((l) => l.ifname === 'eth0')?.addr_info).toContainEqual(
        expect.objectContaining({ local: address, prefixlen: 24 }),
      );
      expect(ipJson<IpLink[]>(['link', 'show', 'lo'], container.pid)[0]?.flags).toContain('UP');
      expect(ipJson<IpRoute[]>(['route', 'show', 'default'], container.pid)).toEqual([
        expect.objectContaining({ dst: 'default', gateway: gw, dev: 'eth0' }),
      ]);

      const port = 20000 + randomInt(20000);
      const listener = spawn('nsenter', ['-t', String(container.pid), '-n', process.execPath, '-e',
        `require('net').createServer((s) => s.end('pong')).listen(${port}, '${address}', () => console.log('ready'))`]);
      try {
        await new Promise<void>((resolve, reject) => {
          listener.stdout.once('data', () => resolve());
          listener.once('exit', (code) => reject(new Error(`listener exited with ${code}`)));
        });
        const reply = await new Promise<string>((resolve, reject) => {
          const sock = net.connect({ host: address, port, timeout: 5000 });
          let data = '';
          sock.on('data', (d) => (data += d));
          sock.on('end', () => resolve(data));
          sock.on('timeout', () => reject(new Error('tcp connect timed out')));
          sock.on('error', reject);
        });
        expect(reply).toBe('pong');
      } finally {
        listener.kill('SIGKILL');
      }

      expect(disconnectContainer(veth)).toBe(true);
      expect(hostLinksWithPrefix(veth)).toEqual([]);
      expect(ipJson<IpLink[]>(['link', 'show'], container.pid).map((l) => l.ifname)).toEqual(['lo']);
      expect(disconnectContainer(veth)).toBe(false);
    });

    it('connectContainer that fails inside the netns names the step and leaves no veth behind', async () => {
      const container = await startNetns();
      holders.push(container);
      const br = name('b');
      const veth = name('h');
      let error: unknown;
      try {
        // The gateway lies outside the container's /24: the route (last change of the batch) is refused.
        connectContainer({
          bridge: br,
          bridgeAddress: `10.216.${third}.1/24`,
          hostIfname: veth,
          containerPid: container.pid,
          address: `10.216.${third}.5/24`,
          gateway: '10.99.0.1',
        });
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'ENETUNREACH', errno: -101, syscall: 'netlink', request: 'RTM_NEWROUTE' });
      expect((error as Error).message).toMatch(/^RTM_NEWROUTE default via 10\.99\.0\.1 eth0 ifindex \d+: ENETUNREACH/);
      expect(error).not.toHaveProperty('cleanupErrors');
      expect(hostLinksWithPrefix(veth)).toEqual([]);
      expect(ipJson<IpLink[]>(['link', 'show'], container.pid).map((l) => l.ifname)).toEqual(['lo']);

      // A bad address is refused before anything exists.
      expect(() => connectContainer({
        bridge: br, bridgeAddress: `10.216.${third}.1/24`, hostIfname: veth, containerPid: container.pid,
        address: '10.216.1.300/24', gateway: `10.216.${third}.1`,
      })).toThrow(expect.objectContaining({ code: 'EINVAL_IPV4' }));
      expect(hostLinksWithPrefix(veth)).toEqual([]);
    });

    it('several processes connecting at once share one bridge and all succeed', async () => {
      const containers = await Promise.all(Array.from({ length: 6 }, () => startNetns()));
      holders.push(...containers);
      const pkgDir = fileURLToPath(new URL('../..', import.meta.url));
      const jsDir = transpileSources(
        ['index', 'socket', 'codec', 'constants', 'errors', 'ipv4', 'mac', 'messages', 'links', 'addresses', 'routes', 'connect', 'ipam'],
        path.join(pkgDir, 'node_modules'),
      );
      const br = name('b');
      const gw = `10.216.${third}.1`;
      try {
        const worker = fileURLToPath(new URL('../helpers/connect-worker.mjs', import.meta.url));
        const children = containers.map((c, i) => {
          const opts = {
            bridge: br,
            bridgeAddress: `${gw}/24`,
            hostIfname: name('h'),
            containerPid: c.pid,
            address: `10.216.${third}.${10 + i}/24`,
            gateway: gw,
          };
          return fork(worker, [path.join(jsDir, 'index.js'), JSON.stringify(opts)]);
        });
        const nextMessage = (child: ChildProcess): Promise<unknown> =>
          new Promise((resolve, reject) => {
            child.once('message', resolve);
            child.once('exit', (code) => reject(new Error(`connect worker exited with ${code}`)));
          });
        // All workers load first, then start together, so their bridge lookups and creates really collide.
        await Promise.all(children.map(nextMessage));
        const reports = children.map(nextMessage);
        for (const child of children) child.send('go');
        const results = (await Promise.all(reports)) as Array<{ ok?: { bridgeIndex: number }; error?: string }>;
        const bridgeIndex = ipJson<IpLink[]>(['link', 'show', br])[0]?.ifindex;
        expect(new Set(results.map((r) => r.ok?.bridgeIndex))).toEqual(new Set([bridgeIndex]));
        expect(ipJson<IpLink[]>(['link', 'show', 'master', br])).toHaveLength(6);
        const bridgeAddrs = ipJson<IpAddr[]>(['addr', 'show', 'dev', br])[0]?.addr_info.filter((a) => a.family === 'inet');
        expect(bridgeAddrs).toEqual([expect.objectContaining({ local: gw, prefixlen: 24 })]);
      } finally {
        rmSync(jsDir, { recursive: true, force: true });
      }
    });
  },
);
